import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { startSecretRules } from '@portal/har-sanitizer';
import { TenantContext, type Actor } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { IncidentNotFound, InvalidTransition } from '../common/domain-errors';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { IncidentsService } from '../incidents/incidents.service';
import type { EvidenceTarget } from '../incidents/incidents.service';
import { ActorRef, AttachmentRecord, AttachmentsRepository } from './attachments.repository';
import { AttachmentContentMissing, AttachmentNotFound, EvidenceOnDataPlane, EvidenceRejected } from './evidence.errors';
import { EVIDENCE_UPLOADERS, evidenceCaps, mayDelete, mayDownload, type EvidenceKind } from './evidence-policy';
import { EvidenceObjectMissing, EvidenceStorage } from './storage/evidence-storage';
import { downloadNameFor } from './upload/file-name';
import { discardBody } from './upload/multipart-upload';
import { receiveEvidence } from './upload/receive-evidence';

const DAY_MS = 86_400_000;
export { MULTIPART_OVERHEAD_BYTES } from './upload/receive-evidence';
const RETENTION_BATCH = 100;
const RETENTION_ACTOR = { kind: 'system', id: 'evidence-retention', label: 'Evidence retention' };
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const ref = (a: Actor): ActorRef => ({ kind: a.kind, id: a.id, label: a.label });

export interface AttachmentView {
  id: string;
  incidentId: string;
  kind: EvidenceKind;
  displayName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  redactionReport: AttachmentRecord['redactionReport'];
  insights: Record<string, unknown>;
  uploadedBy: ActorRef;
  uploadedAt: string;
  /** Null when the caller's role may not download (CSM) or the file lives in the tenant's data plane (then ask for a grant). */
  downloadUrl: string | null;
  canDelete: boolean;
  storedIn: 'portal' | 'data_plane';
  canDownload: boolean;
}

/** What a data plane reports after storing a file (BYOC). */
export interface DataPlaneStoredFile {
  tenantId: string;
  incidentId: string;
  attachmentId: string;
  kind: EvidenceKind;
  displayName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  redactionReport: AttachmentRecord['redactionReport'];
  insights: Record<string, unknown>;
  gzip: boolean;
  actor: ActorRef;
  storedAt: Date;
}

export interface EvidenceDownload {
  stream: Readable;
  size: number;
  contentType: string;
  filename: string;
  sha256: string;
}

@Injectable()
export class EvidenceService implements OnModuleInit {
  private readonly logger = new Logger('Evidence');

  constructor(
    private readonly db: Db,
    private readonly attachments: AttachmentsRepository,
    private readonly incidents: IncidentsService,
    private readonly storage: EvidenceStorage,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  /** The secret rule set (secretlint) runs in a worker thread that takes ~0.2 s to load: start it with the app. */
  onModuleInit(): void {
    startSecretRules();
  }

  /**
   * Streams one upload from the request into storage: multipart (busboy) → size cap → [gunzip → inflated
   * cap] → kind processor (HAR sanitizer / export scan / image metadata strip) → sha256 → storage temp file,
   * renamed into place only when complete. Raw bytes never reach disk, a log line or the database.
   * Then the row and its governance event are written in one tenant transaction.
   */
  async upload(incidentId: string, req: IncomingMessage): Promise<AttachmentView> {
    const actor = TenantContext.actor();
    // Row-level security first: another tenant's incident is a 404 before a byte of the body is read.
    const incident = await this.db.tx((em) => this.incidents.evidenceTarget(em, incidentId));
    const refusal = this.uploadRefusal(incident) ?? (await this.dataPlaneRefusal(incident!.tenantId));
    if (refusal) {
      discardBody(req);
      throw refusal;
    }
    const stored: { key?: string } = {};
    try {
      const file = await receiveEvidence(req, this.config, this.storage, stored);

      const now = this.clock.now();
      const record = await this.db.tx(async (em) => {
        // Read again, share-locked: an incident closed while the file streamed in takes no evidence.
        const current = await this.incidents.evidenceTarget(em, incidentId, { lock: true });
        const late = this.uploadRefusal(current);
        if (late) throw late;
        const a = await this.attachments.insert(em, {
          tenantId: current!.tenantId,
          incidentId,
          kind: file.kind,
          displayName: file.displayName,
          storageKey: stored.key!,
          contentType: file.contentType,
          sizeBytes: file.size,
          sha256: file.sha256,
          redactionReport: file.report,
          insights: file.insights as Record<string, unknown>,
          uploadedBy: ref(actor),
          uploadedAt: now,
        });
        await this.events.emit(em, {
          tenantId: a.tenantId,
          type: 'evidence.uploaded',
          subjectId: a.id,
          incidentId,
          payload: {
            kind: a.kind,
            displayName: a.displayName,
            sizeBytes: a.sizeBytes,
            sha256: a.sha256,
            gzip: file.gzip,
            redacted: file.report.total,
            redactions: file.report.summary,
          },
        });
        return a;
      });
      this.logger.log({ attachmentId: record.id, incidentId, kind: record.kind, sizeBytes: record.sizeBytes, redacted: file.report.total }, 'evidence stored');
      return this.view(record, actor.role);
    } catch (err) {
      if (stored.key)
        await this.storage.delete(stored.key).catch(() => this.logger.warn({ incidentId }, 'could not remove the stored file of a refused upload'));
      if (err instanceof EvidenceRejected) this.logger.log({ incidentId, rule: err.rule }, 'evidence upload refused');
      throw err;
    }
  }

  /** BYOC: once a tenant's data plane has linked, its evidence bytes never come to the control plane. */
  private async dataPlaneRefusal(tenantId: string): Promise<Error | null> {
    const linked = await this.db.tx((em) => this.attachments.tenantHasDataPlane(em, tenantId));
    return linked ? new EvidenceOnDataPlane('upload') : null;
  }

  private uploadRefusal(incident: EvidenceTarget | null): Error | null {
    if (!incident) return new IncidentNotFound();
    if (incident.status === 'closed') return new InvalidTransition(`${incident.reference} is closed; evidence can no longer be added`);
    return null;
  }

  async list(incidentId: string) {
    const role = TenantContext.actor().role;
    return this.db.tx(async (em) => {
      const incident = await this.incidents.evidenceTarget(em, incidentId);
      if (!incident) throw new IncidentNotFound();
      const items = await this.attachments.listLive(em, incidentId);
      const days = this.config.evidence.retentionDays;
      const viaDataPlane = await this.attachments.tenantHasDataPlane(em, incident.tenantId);
      return {
        /** BYOC: `data_plane` means uploads and downloads go to the tenant's data plane with a grant. */
        via: viaDataPlane ? ('data_plane' as const) : ('portal' as const),
        items: items.map((a) => this.view(a, role)),
        canUpload: incident.status !== 'closed' && (EVIDENCE_UPLOADERS as string[]).includes(role),
        limits: evidenceCaps(this.config.evidence),
        retention: {
          days,
          deletesAt: incident.closedAt ? new Date(new Date(incident.closedAt).getTime() + days * DAY_MS).toISOString() : null,
        },
      };
    });
  }

  /** Opens the stored file and records the download in the same tenant transaction. */
  async download(incidentId: string, attachmentId: string): Promise<EvidenceDownload> {
    // the open file outlives the callback; if the transaction fails after opening it, it is closed here
    const held: { opened?: { stream: Readable; size: number } } = {};
    try {
      return await this.db.tx(async (em) => {
        const a = await this.attachments.findLive(em, incidentId, attachmentId);
        if (!a) throw new AttachmentNotFound();
        if (a.storedIn === 'data_plane') throw new EvidenceOnDataPlane('download');
        const opened = await this.storage.get(a.storageKey).catch((err: unknown) => {
          throw err instanceof EvidenceObjectMissing ? new AttachmentContentMissing() : err;
        });
        held.opened = opened;
        await this.events.emit(em, {
          tenantId: a.tenantId,
          type: 'evidence.downloaded',
          subjectId: a.id,
          incidentId,
          payload: { kind: a.kind, displayName: a.displayName, sha256: a.sha256 },
        });
        return { ...opened, contentType: a.contentType, filename: downloadNameFor(a.displayName, a.kind, a.contentType), sha256: a.sha256 };
      });
    } catch (err) {
      held.opened?.stream.destroy();
      throw err;
    }
  }

  /** The file goes last, inside the transaction: if it cannot be removed, the row stays live and says so. */
  async remove(incidentId: string, attachmentId: string): Promise<void> {
    const actor = TenantContext.actor();
    const now = this.clock.now();
    await this.db.tx(async (em) => {
      const a = await this.attachments.findLive(em, incidentId, attachmentId, { lock: true });
      if (!a) throw new AttachmentNotFound();
      await this.attachments.markDeleted(em, a.id, now, ref(actor), 'deleted');
      await this.events.emit(em, {
        tenantId: a.tenantId,
        type: 'evidence.deleted',
        subjectId: a.id,
        incidentId,
        payload: { reason: 'deleted', kind: a.kind, displayName: a.displayName, sha256: a.sha256 },
      });
      if (a.storedIn === 'portal') await this.storage.delete(a.storageKey);
    });
  }

  /**
   * Retention, in the current tenant's context: deletes every live attachment of an incident closed at least
   * `EVIDENCE_RETENTION_DAYS` before `now`, one governance event each. Idempotent (at-least-once delivery):
   * a deleted attachment is never selected again; a file already gone counts as deleted.
   */
  async purgeExpired(now: Date): Promise<number> {
    const days = this.config.evidence.retentionDays;
    const closedBefore = new Date(now.getTime() - days * DAY_MS);
    let total = 0;
    for (;;) {
      const n = await this.db.tx(async (em) => {
        const closed = await this.incidents.closedBefore(em, closedBefore);
        const closedAt = new Map(closed.map((i) => [i.id, i.closedAt]));
        const expired = closed.length ? await this.attachments.liveOf(em, [...closedAt.keys()], RETENTION_BATCH) : [];
        for (const a of expired) {
          await this.attachments.markDeleted(em, a.id, now, RETENTION_ACTOR, 'retention');
          await this.events.emit(em, {
            tenantId: a.tenantId,
            type: 'evidence.deleted',
            subjectId: a.id,
            incidentId: a.incidentId,
            actor: RETENTION_ACTOR,
            payload: {
              reason: 'retention',
              retentionDays: days,
              incidentClosedAt: iso(closedAt.get(a.incidentId) ?? null),
              kind: a.kind,
              displayName: a.displayName,
              sha256: a.sha256,
            },
          });
          if (a.storedIn === 'portal') await this.storage.delete(a.storageKey);
        }
        return expired.length;
      });
      total += n;
      if (n < RETENTION_BATCH) return total;
    }
  }

  view(a: AttachmentRecord, role: string): AttachmentView {
    return {
      id: a.id,
      incidentId: a.incidentId,
      kind: a.kind,
      displayName: a.displayName,
      contentType: a.contentType,
      sizeBytes: a.sizeBytes,
      sha256: a.sha256,
      redactionReport: a.redactionReport,
      insights: a.insights,
      uploadedBy: a.uploadedBy,
      uploadedAt: new Date(a.uploadedAt).toISOString(),
      downloadUrl: mayDownload(role) && a.storedIn === 'portal' ? `/api/v1/incidents/${a.incidentId}/attachments/${a.id}/download` : null,
      canDelete: mayDelete(role),
      storedIn: a.storedIn,
      canDownload: mayDownload(role),
    };
  }

  // --- BYOC: what the byoc module needs (it holds the grants and the plane link; evidence holds the rows) ---

  /**
   * BYOC: what deciding where a file goes (or comes from) needs: the incident (it takes evidence, for an upload),
   * and where the attachment's bytes are (for a download).
   */
  async grantTarget(
    em: EntityManager,
    incidentId: string,
    attachmentId: string | null,
  ): Promise<{ incident: EvidenceTarget; storedIn: 'portal' | 'data_plane' | null }> {
    const incident = await this.incidents.evidenceTarget(em, incidentId);
    if (!incident) throw new IncidentNotFound();
    let storedIn: 'portal' | 'data_plane' | null = null;
    if (attachmentId === null) {
      const refusal = this.uploadRefusal(incident);
      if (refusal) throw refusal;
    } else {
      const a = await this.attachments.findLive(em, incidentId, attachmentId);
      if (!a) throw new AttachmentNotFound();
      storedIn = a.storedIn;
    }
    return { incident, storedIn };
  }

  /** The data plane stored a file: its metadata (never its bytes) becomes the attachment row and its governance event. */
  async recordFromDataPlane(em: EntityManager, m: DataPlaneStoredFile): Promise<AttachmentRecord | null> {
    const incident = await this.incidents.evidenceTarget(em, m.incidentId, { lock: true });
    if (!incident || incident.tenantId !== m.tenantId) throw new IncidentNotFound();
    const a = await this.attachments.insertFromDataPlane(em, m.attachmentId, {
      tenantId: m.tenantId,
      incidentId: m.incidentId,
      kind: m.kind,
      displayName: m.displayName,
      storageKey: `data-plane:${m.attachmentId}`,
      contentType: m.contentType,
      sizeBytes: m.sizeBytes,
      sha256: m.sha256,
      redactionReport: m.redactionReport,
      insights: m.insights,
      uploadedBy: m.actor,
      uploadedAt: m.storedAt,
    });
    if (!a) return null;
    await this.events.emit(em, {
      tenantId: a.tenantId,
      type: 'evidence.uploaded',
      subjectId: a.id,
      incidentId: a.incidentId,
      actor: m.actor,
      payload: {
        kind: a.kind,
        displayName: a.displayName,
        sizeBytes: a.sizeBytes,
        sha256: a.sha256,
        gzip: m.gzip,
        redacted: a.redactionReport.total,
        redactions: a.redactionReport.summary,
      },
    });
    return a;
  }

  /** The data plane served a download: recorded like a download from the portal. */
  async recordDataPlaneDownload(em: EntityManager, m: { tenantId: string; incidentId: string; attachmentId: string; actor: ActorRef }): Promise<void> {
    const a = await this.attachments.findLive(em, m.incidentId, m.attachmentId);
    if (!a || a.tenantId !== m.tenantId) throw new AttachmentNotFound();
    await this.events.emit(em, {
      tenantId: a.tenantId,
      type: 'evidence.downloaded',
      subjectId: a.id,
      incidentId: a.incidentId,
      actor: m.actor,
      payload: { kind: a.kind, displayName: a.displayName, sha256: a.sha256 },
    });
  }
}
