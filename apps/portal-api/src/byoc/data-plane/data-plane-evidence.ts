import { randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { startSecretRules } from '@portal/har-sanitizer';
import { Clock } from '../../common/clock';
import { Conflict, DomainError } from '../../common/domain-errors';
import { PORTAL_CONFIG, PortalConfig } from '../../config/portal-config';
import { Db } from '../../database/db.service';
import { AttachmentNotFound, AttachmentContentMissing } from '../../evidence/evidence.errors';
import { EvidenceObjectMissing, EvidenceStorage } from '../../evidence/storage/evidence-storage';
import { downloadNameFor } from '../../evidence/upload/file-name';
import { discardBody } from '../../evidence/upload/multipart-upload';
import { receiveEvidence } from '../../evidence/upload/receive-evidence';
import { grantPublicKey, verifyGrant, type VerifiedGrant } from '../grants';
import { DataPlaneAgent } from './data-plane-agent';
import { PlaneLinkClient } from './plane-link-client';
import { PlaneStoreRepository } from './plane-store.repository';

const RELAY_WAIT_MS = 3000;

class GrantKeyUnavailable extends DomainError {
  readonly status = 503;
  readonly code = 'grant_key_unavailable';
}

/**
 * The data plane's evidence: the browser comes with a grant from the control plane; the upload runs through the
 * same sanitizer pipeline as the portal's, the bytes stay in this plane's storage, and only metadata goes to the
 * control plane (through the outbox, in the transaction that records the object). Every download is reported too.
 */
@Injectable()
export class DataPlaneEvidence implements OnModuleInit {
  private readonly logger = new Logger('DataPlaneEvidence');
  private key: Promise<KeyObject> | null = null;

  constructor(
    private readonly db: Db,
    private readonly store: PlaneStoreRepository,
    private readonly storage: EvidenceStorage,
    private readonly link: PlaneLinkClient,
    private readonly agent: DataPlaneAgent,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  onModuleInit(): void {
    startSecretRules();
  }

  /** GRANT_PUBLIC_KEY_FILE, or the control plane's key fetched once over the mTLS link. */
  private grantKey(): Promise<KeyObject> {
    const pem = this.config.byoc.grantPublicKeyPem;
    this.key ??= (pem ? Promise.resolve(pem) : this.link.grantKey()).then(grantPublicKey).catch((err: Error) => {
      this.key = null;
      throw new GrantKeyUnavailable(`cannot verify grants yet: the control plane's grant key is not available (${err.message})`);
    });
    return this.key;
  }

  private async verify(token: string | null, operation: 'upload' | 'download', attachmentId: string): Promise<VerifiedGrant> {
    return verifyGrant(await this.grantKey(), token, { tenantSlug: this.config.byoc.dataPlaneTenant!, operation, attachmentId }, this.clock.now());
  }

  async upload(attachmentId: string, token: string | null, req: IncomingMessage) {
    let grant: VerifiedGrant;
    try {
      grant = await this.verify(token, 'upload', attachmentId);
      if (await this.db.forTenants([grant.tenantId], (em) => this.store.exists(em, attachmentId)))
        throw new Conflict('this upload grant was already used: ask the portal for a new one');
    } catch (err) {
      discardBody(req);
      throw err;
    }
    const stored: { key?: string } = {};
    try {
      const file = await receiveEvidence(req, this.config, this.storage, stored);
      const now = this.clock.now();
      await this.db.forTenants([grant.tenantId], async (em) => {
        const inserted = await this.store.insertObject(em, {
          attachmentId,
          tenantId: grant.tenantId,
          incidentId: grant.incidentId,
          storageKey: stored.key!,
          kind: file.kind,
          displayName: file.displayName,
          contentType: file.contentType,
          sizeBytes: file.size,
          sha256: file.sha256,
          storedAt: now,
        });
        if (!inserted) throw new Conflict('this upload grant was already used: ask the portal for a new one');
        await this.store.enqueue(em, {
          id: randomUUID(),
          tenantId: grant.tenantId,
          type: 'attachment.stored',
          at: now,
          payload: {
            tenantId: grant.tenantId,
            incidentId: grant.incidentId,
            attachmentId,
            kind: file.kind,
            displayName: file.displayName,
            contentType: file.contentType,
            sizeBytes: file.size,
            sha256: file.sha256,
            redactionReport: file.report,
            insights: file.insights,
            gzip: file.gzip,
            actor: { kind: grant.actor.kind, id: grant.actor.id, label: grant.actor.label },
          },
        });
      });
      this.logger.log(
        { attachmentId, incidentId: grant.incidentId, kind: file.kind, sizeBytes: file.size, redacted: file.report.total },
        'evidence stored in the data plane',
      );
      await this.relaySoon();
      return {
        id: attachmentId,
        incidentId: grant.incidentId,
        kind: file.kind,
        displayName: file.displayName,
        contentType: file.contentType,
        sizeBytes: file.size,
        sha256: file.sha256,
        redactionReport: file.report,
        insights: file.insights,
        uploadedAt: now.toISOString(),
        storedIn: 'data_plane' as const,
      };
    } catch (err) {
      if (stored.key)
        await this.storage.delete(stored.key).catch(() => this.logger.warn({ attachmentId }, 'could not remove the stored file of a refused upload'));
      throw err;
    }
  }

  /**
   * Gives the relay a moment to hand the metadata to the control plane before the browser is answered, so the
   * portal's list shows the file when the browser refreshes it; a slow or absent control plane only delays that.
   */
  private async relaySoon(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.agent.relay().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, RELAY_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  async download(
    attachmentId: string,
    token: string | null,
  ): Promise<{ stream: Readable; size: number; contentType: string; filename: string; sha256: string }> {
    const grant = await this.verify(token, 'download', attachmentId);
    const held: { opened?: { stream: Readable; size: number } } = {};
    try {
      const result = await this.db.forTenants([grant.tenantId], async (em) => {
        const o = await this.store.findLive(em, attachmentId, grant.incidentId);
        if (!o) throw new AttachmentNotFound();
        const opened = await this.storage.get(o.storageKey).catch((err: unknown) => {
          throw err instanceof EvidenceObjectMissing ? new AttachmentContentMissing() : err;
        });
        held.opened = opened;
        await this.store.enqueue(em, {
          id: randomUUID(),
          tenantId: grant.tenantId,
          type: 'attachment.downloaded',
          at: this.clock.now(),
          payload: {
            tenantId: grant.tenantId,
            incidentId: grant.incidentId,
            attachmentId,
            grantId: grant.grantId,
            actor: { kind: grant.actor.kind, id: grant.actor.id, label: grant.actor.label },
          },
        });
        return {
          ...opened,
          contentType: o.contentType,
          filename: downloadNameFor(o.displayName, o.kind as Parameters<typeof downloadNameFor>[1], o.contentType),
          sha256: o.sha256,
        };
      });
      void this.agent.relay().catch(() => undefined);
      return result;
    } catch (err) {
      held.opened?.stream.destroy();
      throw err;
    }
  }
}
