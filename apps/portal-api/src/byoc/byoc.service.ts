import { randomUUID, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PLANE_OWNERSHIP_NOTE } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { Conflict, IncidentNotFound } from '../common/domain-errors';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { EvidenceService } from '../evidence/evidence.service';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import type { Tenant } from '../tenants/tenant.types';
import { DataPlaneLinksRepository, HeartbeatRecord } from './data-plane-links.repository';
import { grantSigningKey, publicPemOf, signGrant, type GrantOperation } from './grants';
import type { PlaneMessage } from './plane-protocol';

/** Where evidence goes (or comes from) for one operation; `grant` only for a data plane. */
export interface EvidenceTargetView {
  operation: GrantOperation;
  via: 'portal' | 'data_plane';
  url: string;
  attachmentId: string | null;
  grant: string | null;
  expiresAt: string | null;
}

export type DataPlaneStatus = 'unknown' | 'healthy' | 'failing' | 'silent';

export interface DataPlaneHealthView {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  status: DataPlaneStatus;
  /** The seed's signal 2: the tenant's health check is failing (or its data plane stopped reporting). */
  signal2: boolean;
  lastHeartbeatAt: string | null;
  silentForSeconds: number | null;
  failing: string[];
  checks: { name: string; ok: boolean; detail: string }[];
  certificateNotAfter: string | null;
  certificateDaysLeft: number | null;
  /** Who owns what in Mode C (seed 000): shown beside signal 2. */
  ownershipNote: string;
  /** A declaration prefilled from the signal, for the declare page (null while healthy). */
  prefill: { title: string; severity: 'sev2'; plane: 'data_plane'; symptoms: string } | null;
}

/** Who owns what in Mode C: the seed's note, as the declare page shows it. */
export const OWNERSHIP_NOTE = PLANE_OWNERSHIP_NOTE;

const CHECK_LABELS: Record<string, string> = { database: 'database', object_storage: 'object storage', disk: 'disk space', certificate: 'mTLS certificate' };

/**
 * BYOC on the control plane: grants for a Mode C tenant's data plane, the messages its data plane sends over the
 * mTLS link (heartbeats, stored-file metadata, downloads served), and the data-plane health views (signal 2).
 * Evidence bytes never pass through here: only metadata arrives, and the evidence module records it.
 */
@Injectable()
export class ByocService {
  private readonly logger = new Logger('Byoc');
  private readonly signingKey: KeyObject | null;

  constructor(
    private readonly db: Db,
    private readonly links: DataPlaneLinksRepository,
    private readonly evidence: EvidenceService,
    private readonly tenants: TenantDirectory,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {
    this.signingKey = config.byoc.grantSigningKeyPem ? grantSigningKey(config.byoc.grantSigningKeyPem) : null;
  }

  grantPublicKeyPem(): string | null {
    return this.signingKey ? publicPemOf(this.signingKey) : null;
  }

  /**
   * Where the caller's browser sends a file for this incident: the portal (Modes A/B, or a Mode C tenant without a
   * linked data plane), or the tenant's data plane with a grant for one new attachment.
   */
  uploadTarget(incidentId: string): Promise<EvidenceTargetView> {
    return this.target(incidentId, null);
  }

  /** Where the caller's browser fetches this attachment: the portal's download URL, or the data plane's with a grant. */
  downloadTarget(incidentId: string, attachmentId: string): Promise<EvidenceTargetView> {
    return this.target(incidentId, attachmentId);
  }

  private async target(incidentId: string, attachmentId: string | null): Promise<EvidenceTargetView> {
    const actor = TenantContext.actor();
    const operation: GrantOperation = attachmentId === null ? 'upload' : 'download';
    const now = this.clock.now();
    const result = await this.db.tx(async (em): Promise<EvidenceTargetView> => {
      const t = await this.evidence.grantTarget(em, incidentId, attachmentId);
      const tenant = await this.tenants.findById(em, t.incident.tenantId);
      if (!tenant) throw new IncidentNotFound();
      const portalUrl =
        attachmentId === null ? `/api/v1/incidents/${incidentId}/attachments` : `/api/v1/incidents/${incidentId}/attachments/${attachmentId}/download`;
      const [latest] = await this.links.latest(em, t.incident.tenantId);
      const viaDataPlane = attachmentId === null ? !!latest && tenant.serviceMode === 'C' : t.storedIn === 'data_plane';
      if (!viaDataPlane) return { operation, via: 'portal', url: portalUrl, attachmentId, grant: null, expiresAt: null };
      if (!this.signingKey) throw new Conflict('this control plane has no grant signing key (GRANT_SIGNING_KEY_FILE): it cannot issue grants');
      if (!latest?.publicUrl) throw new Conflict("the tenant's data plane has not reported its address (PUBLIC_URL) in a heartbeat yet");
      const id = attachmentId ?? randomUUID();
      const { token, expiresAt } = await signGrant(
        this.signingKey,
        {
          tenantId: t.incident.tenantId,
          tenantSlug: tenant.slug,
          incidentId,
          attachmentId: id,
          operation,
          actor: { kind: actor.kind, id: actor.id, label: actor.label, role: actor.role },
        },
        now,
      );
      await this.events.emit(em, {
        tenantId: t.incident.tenantId,
        type: 'evidence.grant_issued',
        subjectId: id,
        incidentId,
        payload: { operation, attachmentId: id, expiresAt: expiresAt.toISOString() },
      });
      const base = `${latest.publicUrl.replace(/\/+$/, '')}/data-plane/v1/evidence/${id}`;
      return {
        operation,
        via: 'data_plane',
        // upload: POST the multipart form here with `Authorization: Bearer <grant>`; download: open this URL
        url: operation === 'download' ? `${base}?grant=${encodeURIComponent(token)}` : base,
        attachmentId: id,
        grant: token,
        expiresAt: expiresAt.toISOString(),
      };
    });
    if (result.grant) this.logger.log({ incidentId, operation, attachmentId: result.attachmentId }, 'evidence grant issued');
    return result;
  }

  /** Data-plane health of every Mode C tenant the caller may see (one for a customer, all for staff). */
  async health(): Promise<{ items: DataPlaneHealthView[]; silentAfterSeconds: number }> {
    const now = this.clock.now();
    return this.db.tx(async (em) => {
      const tenants = (await this.tenants.visible(em)).filter((t) => t.serviceMode === 'C');
      const latest = new Map((await this.links.latest(em)).map((h) => [h.tenantId, h]));
      return { items: tenants.map((t) => this.view(t, latest.get(t.id) ?? null, now)), silentAfterSeconds: this.config.byoc.silentSeconds };
    });
  }

  private statusOf(h: HeartbeatRecord | null, now: Date): DataPlaneStatus {
    if (!h) return 'unknown';
    if (now.getTime() - new Date(h.sentAt).getTime() > this.config.byoc.silentSeconds * 1000) return 'silent';
    return h.healthy ? 'healthy' : 'failing';
  }

  private view(t: Tenant, h: HeartbeatRecord | null, now: Date): DataPlaneHealthView {
    const status = this.statusOf(h, now);
    const failing = (h?.checks ?? []).filter((c) => !c.ok).map((c) => c.name);
    const notAfter = h?.certificateNotAfter ? new Date(h.certificateNotAfter) : null;
    const silentFor = h ? Math.max(0, Math.floor((now.getTime() - new Date(h.sentAt).getTime()) / 1000)) : null;
    const signal2 = status === 'failing' || status === 'silent';
    const what =
      status === 'silent'
        ? `The data plane has sent no heartbeat for ${Math.round((silentFor ?? 0) / 60)} minutes (expected every ${this.config.byoc.heartbeatSeconds} s).`
        : `The data plane's health checks are failing: ${failing.map((f) => CHECK_LABELS[f] ?? f).join(', ')}.`;
    return {
      tenantId: t.id,
      tenantSlug: t.slug,
      tenantName: t.displayName,
      status,
      signal2,
      lastHeartbeatAt: h ? new Date(h.sentAt).toISOString() : null,
      silentForSeconds: silentFor,
      failing,
      checks: h?.checks ?? [],
      certificateNotAfter: notAfter ? notAfter.toISOString() : null,
      certificateDaysLeft: notAfter ? Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000) : null,
      ownershipNote: OWNERSHIP_NOTE,
      prefill: signal2
        ? {
            title:
              status === 'silent'
                ? 'Data plane stopped reporting (signal 2)'
                : `Data plane health check failing: ${failing.map((f) => CHECK_LABELS[f] ?? f).join(', ')}`,
            severity: 'sev2',
            plane: 'data_plane',
            symptoms: `${what} Seen by the portal's data-plane health view (signal 2).`,
          }
        : null,
    };
  }

  /**
   * Applies a batch from a tenant's data plane, authenticated by its client certificate (the tenant comes from the
   * certificate, never from the message). Each message once per id, in its own transaction; a message naming another
   * tenant is refused. Returns the ids applied now or before (the data plane stops resending those).
   */
  async applyBatch(tenant: Tenant, messages: PlaneMessage[]): Promise<{ accepted: string[]; refused: { id: string; error: string }[] }> {
    const accepted: string[] = [];
    const refused: { id: string; error: string }[] = [];
    const actorOfPlane = { kind: 'data_plane', id: tenant.slug, label: `Data plane of ${tenant.slug}` };
    for (const m of messages) {
      if (m.type !== 'heartbeat' && m.payload.tenantId !== tenant.id) {
        refused.push({ id: m.id, error: 'wrong_tenant: the message names another tenant than the client certificate' });
        continue;
      }
      try {
        await this.db.forTenants([tenant.id], async (em) => {
          const now = this.clock.now();
          if (!(await this.links.claimMessage(em, tenant.id, m.id, m.type, now))) return;
          if (m.type === 'heartbeat') {
            const [previous] = await this.links.latest(em, tenant.id);
            const beat: HeartbeatRecord = {
              tenantId: tenant.id,
              sentAt: new Date(m.at),
              receivedAt: now,
              healthy: m.payload.healthy,
              publicUrl: m.payload.publicUrl,
              checks: m.payload.checks,
              certificateNotAfter: m.payload.certificateNotAfter ? new Date(m.payload.certificateNotAfter) : null,
            };
            await this.links.insertHeartbeat(em, m.id, beat);
            const before = previous ? (previous.healthy ? 'healthy' : 'failing') : 'unknown';
            const after = beat.healthy ? 'healthy' : 'failing';
            // Heartbeats arriving late (after an outage) are recorded in order of sending; only a newer one changes state.
            if (before !== after && (!previous || new Date(previous.sentAt) <= beat.sentAt))
              await this.events.emit(em, {
                tenantId: tenant.id,
                type: 'data_plane.health_changed',
                subjectId: tenant.id,
                actor: actorOfPlane,
                payload: { from: before, to: after, failing: beat.checks.filter((c) => !c.ok).map((c) => c.name), publicUrl: beat.publicUrl },
              });
          } else if (m.type === 'attachment.stored') {
            const p = m.payload;
            await this.evidence.recordFromDataPlane(em, {
              ...p,
              storedAt: new Date(m.at),
              actor: { kind: p.actor.kind, id: p.actor.id, label: p.actor.label },
            });
          } else {
            await this.evidence.recordDataPlaneDownload(em, m.payload);
          }
        });
        accepted.push(m.id);
      } catch (err) {
        // A message that can never apply (its incident is gone) is answered as refused, so the data plane stops retrying it.
        const e = err as { code?: string; message?: string };
        if (!e.code) throw err;
        this.logger.warn({ tenant: tenant.slug, messageId: m.id, type: m.type, error: e.code }, 'plane message refused');
        refused.push({ id: m.id, error: `${e.code}: ${e.message ?? ''}` });
      }
    }
    return { accepted, refused };
  }
}
