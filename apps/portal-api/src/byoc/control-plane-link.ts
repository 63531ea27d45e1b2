import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { ByocService } from './byoc.service';
import { certificateRefusal, PLANE_PATHS, planeBatch, tenantSlugOfCertificate } from './plane-protocol';

const MAX_BODY = 4 * 1024 * 1024;

/**
 * The control plane's mutual-TLS listener for data planes (PLANE_LINK_PORT; off when 0). TLS accepts only
 * certificates chained to PLANE_TLS_CA_FILE; the handshake itself lets a refused certificate through so the
 * answer can say why (expired, not yet valid, wrong CA, no certificate) as a 401 JSON body instead of a bare
 * connection reset. The certificate's `urn:portal:tenant:<slug>` URI SAN is the caller's identity: a Mode C
 * tenant of that slug, or 403.
 */
@Injectable()
export class ControlPlaneLink implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PlaneLink');
  private server: Server | null = null;

  constructor(
    private readonly byoc: ByocService,
    private readonly tenants: TenantDirectory,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { linkPort, tls } = this.config.byoc;
    if (!linkPort) return;
    this.server = createServer(
      { cert: tls.certPem!, key: tls.keyPem!, ca: tls.caPem!, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
      (req, res) => void this.handle(req, res),
    );
    this.server.headersTimeout = 20_000;
    this.server.requestTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(linkPort, this.config.host, () => resolve());
    });
    this.logger.log({ port: (this.server.address() as AddressInfo).port }, 'plane link listening (mutual TLS)');
  }

  async onModuleDestroy(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const socket = req.socket as TLSSocket;
      if (!socket.authorized) {
        const peer = socket.getPeerCertificate();
        const presented = !!peer && Object.keys(peer).length > 0;
        const message = certificateRefusal(presented ? String(socket.authorizationError ?? 'UNKNOWN') : null);
        const claimed = tenantSlugOfCertificate(peer);
        this.logger.warn({ reason: socket.authorizationError ?? 'none', claimedTenant: claimed }, 'plane link refused a client certificate');
        req.resume();
        return this.reply(res, 401, { error: 'client_certificate_refused', message });
      }
      const slug = tenantSlugOfCertificate(socket.getPeerCertificate());
      const tenant = slug ? await this.tenants.findBySlug(slug) : null;
      if (!tenant || tenant.serviceMode !== 'C') {
        req.resume();
        return this.reply(res, 403, {
          error: 'certificate_wrong_tenant',
          message: slug
            ? `the client certificate names tenant "${slug}", which has no BYOC data plane here (no such Mode C tenant)`
            : `the client certificate names no tenant: it needs exactly one URI SAN urn:portal:tenant:<slug>`,
        });
      }
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === PLANE_PATHS.grantKey) {
        const pem = this.byoc.grantPublicKeyPem();
        if (!pem) return this.reply(res, 503, { error: 'no_grant_key', message: 'this control plane has no grant signing key' });
        return this.reply(res, 200, { publicKeyPem: pem, algorithm: 'EdDSA' });
      }
      if (req.method === 'POST' && path === PLANE_PATHS.messages) {
        const raw = await readBody(req);
        if (raw === null) return this.reply(res, 413, { error: 'payload_too_large', message: `a batch is at most ${MAX_BODY} bytes` });
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          return this.reply(res, 400, { error: 'validation_failed', message: 'the body is not JSON' });
        }
        const parsed = planeBatch.safeParse(json);
        if (!parsed.success) {
          const fields = parsed.error.issues.slice(0, 10).map((i) => ({ field: i.path.join('.'), message: i.message }));
          return this.reply(res, 400, { error: 'validation_failed', message: 'the batch is not valid', fields });
        }
        return this.reply(res, 200, await this.byoc.applyBatch(tenant, parsed.data.messages));
      }
      req.resume();
      return this.reply(res, 404, { error: 'not_found', message: 'not found' });
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'plane link request failed');
      return this.reply(res, 503, { error: 'unavailable', message: 'the control plane could not apply the batch; retry later' });
    }
  }

  /** The bound port (tests listen on an ephemeral one). */
  port(): number | null {
    return this.server ? (this.server.address() as AddressInfo).port : null;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) {
      req.destroy();
      return null;
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
