import { Agent, request } from 'node:https';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { PLANE_PATHS, type PlaneMessage } from '../plane-protocol';

export class PlaneLinkFailed extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'PlaneLinkFailed';
  }
}

const TIMEOUT_MS = 15_000;

/**
 * The data plane's side of the plane link: HTTPS to CONTROL_PLANE_URL with its client certificate, trusting only
 * PLANE_TLS_CA_FILE for the control plane's server certificate. A refusal carries the control plane's reason
 * (expired certificate, wrong CA, wrong tenant) so the data plane's logs and health say why.
 */
@Injectable()
export class PlaneLinkClient implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(@Inject(PORTAL_CONFIG) config: PortalConfig) {
    const { tls, controlPlaneUrl } = config.byoc;
    this.base = new URL(controlPlaneUrl!);
    this.agent = new Agent({ cert: tls.certPem!, key: tls.keyPem!, ca: tls.caPem!, keepAlive: true, maxSockets: 4, minVersion: 'TLSv1.2' });
  }

  onModuleDestroy(): void {
    this.agent.destroy();
  }

  async send(messages: PlaneMessage[]): Promise<{ accepted: string[]; refused: { id: string; error: string }[] }> {
    return this.call('POST', PLANE_PATHS.messages, { messages }) as Promise<{ accepted: string[]; refused: { id: string; error: string }[] }>;
  }

  async grantKey(): Promise<string> {
    const body = (await this.call('GET', PLANE_PATHS.grantKey)) as { publicKeyPem: string };
    return body.publicKeyPem;
  }

  private call(method: 'GET' | 'POST', path: string, json?: unknown): Promise<unknown> {
    const url = new URL(path, this.base);
    const payload = json === undefined ? null : Buffer.from(JSON.stringify(json));
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          timeout: TIMEOUT_MS,
          headers: payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: { message?: string; error?: string } | null = null;
            try {
              body = JSON.parse(text) as { message?: string };
            } catch {
              body = null;
            }
            if (res.statusCode === 200) return resolve(body);
            reject(
              new PlaneLinkFailed(
                `control plane answered ${res.statusCode}: ${body?.error ?? ''} ${body?.message ?? text.slice(0, 200)}`.trim(),
                res.statusCode ?? null,
              ),
            );
          });
        },
      );
      req.on('timeout', () => req.destroy(new PlaneLinkFailed(`control plane did not answer within ${TIMEOUT_MS / 1000} s`, null)));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(err instanceof PlaneLinkFailed ? err : new PlaneLinkFailed(`control plane unreachable: ${err.code ?? ''} ${err.message}`.trim(), null)),
      );
      req.end(payload ?? undefined);
    });
  }
}
