import { randomUUID, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  PIR_SECTION_KEYS,
  type IncidentDetail,
  type PirActionItem,
  type PirHubRecord,
  type PirSearchHit,
  type PirSectionKey,
  type SearchPirsQuery,
  type PirTransitionInput,
  type PirView,
  type UpdateActionItemInput,
  type UpdatePirInput,
} from '@portal/contracts';
import { pirContentHash, type PirPdfRenderer } from '@portal/pir-pdf';
import { TenantContext, type Actor } from '@portal/tenancy';
import type { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { Forbidden, InvalidTransition, ValidationFailed } from '../common/domain-errors';
import { PORTAL_CONFIG, type PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { EvidenceStorage } from '../evidence/storage/evidence-storage';
import { IncidentsService } from '../incidents/incidents.service';
import { OutboxService } from '../outbox/outbox.service';
import { JobName } from '../queue/jobs';
import { documentModel, hubRecordOf, prefilledSections, slaOutcomesOf, timelineOf } from './pir-content';
import { PirNotFound, PirPdfNotReady, PirVersionConflict } from './pir.errors';
import { PirRecord, PirRepository, type ActorRef } from './pir.repository';

const TENANT_ROLES = new Set(['customer_admin', 'customer_viewer']);
/** What a tenant's users see: a review once published, or the decision that there will be none. */
const TENANT_VISIBLE = new Set(['published', 'waived']);
const ref = (a: Actor): ActorRef => ({ kind: a.kind, id: a.id, label: a.label });
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export interface PirPdfDownload {
  stream: Readable;
  size: number;
  filename: string;
  sha256: string;
}

/**
 * Post-incident reviews: one per incident, written by support engineers (draft → in review → published),
 * read by the tenant's users once published and by the tenant's CSMs at any time. Publishing stops the PIR clock;
 * a Sev 2 review can be waived with a reason. Every change is a versioned `pir.*` domain event.
 */
@Injectable()
export class PirService {
  private readonly logger = new Logger(PirService.name);

  constructor(
    private readonly db: Db,
    private readonly pirs: PirRepository,
    private readonly incidents: IncidentsService,
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
    private readonly storage: EvidenceStorage,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  async get(incidentId: string): Promise<PirView> {
    const inc = await this.incidents.get(incidentId);
    const pir = await this.db.tx((em) => this.pirs.findByIncident(em, incidentId));
    return this.view(this.visible(pir), inc);
  }

  /** The archive: published reviews of the tenants the caller sees (RLS), searched and filtered. */
  async search(q: SearchPirsQuery): Promise<{ items: PirSearchHit[] }> {
    if (q.from && q.to && q.from > q.to) throw new ValidationFailed([{ field: 'to', message: 'must not be before from' }]);
    return { items: await this.db.tx((em) => this.pirs.search(em, q)) };
  }

  /** The archive query's plan for `q` under the caller's tenants (the benchmark prints it). */
  explainSearch(q: SearchPirsQuery, analyze = false): Promise<string> {
    return this.db.tx((em) => this.pirs.searchPlan(em, q, analyze));
  }

  /** Starts the review of a resolved incident, prefilled from the incident record. */
  async create(incidentId: string): Promise<PirView> {
    const actor = this.writer();
    const inc = await this.incidents.get(incidentId);
    if (inc.status !== 'resolved' && inc.status !== 'closed') {
      throw new InvalidTransition(`${inc.reference} is ${inc.status}; a post-incident review starts after the resolution`);
    }
    const now = this.clock.now();
    const timeline = timelineOf(inc);
    const created = await this.db.tx(async (em) => {
      const rec = await this.pirs.insert(em, {
        tenantId: inc.tenant.id,
        incidentId,
        status: 'draft',
        sections: prefilledSections(inc),
        timeline,
        actionItems: [],
        slaOutcomes: slaOutcomesOf(inc),
        waiverReason: null,
        by: ref(actor),
        at: now,
      });
      if (!rec) throw new InvalidTransition(`${inc.reference} already has a post-incident review`);
      await this.emit(em, rec, inc.reference, 'pir.created', { prefilled: { timeline: timeline.length, actionItems: 0 } });
      return rec;
    });
    return this.view(created, inc);
  }

  /** Saves edits of a draft or a review in progress; refused over a newer version (409). */
  async update(incidentId: string, input: UpdatePirInput): Promise<PirView> {
    const actor = this.writer();
    const inc = await this.incidents.get(incidentId);
    const now = this.clock.now();
    const saved = await this.db.tx(async (em) => {
      const pir = await this.locked(em, incidentId);
      if (pir.status !== 'draft' && pir.status !== 'in_review') {
        throw new InvalidTransition(`the review is ${pir.status}; only its action items can change now`);
      }
      if (pir.version !== input.version) throw new PirVersionConflict(pir.version);
      const sections = { ...pir.sections, ...stripUndefined(input.sections ?? {}) } as Record<PirSectionKey, string>;
      const actionItems = input.actionItems ? mergeActionItems(pir.actionItems, input.actionItems) : undefined;
      const rec = await this.pirs.update(em, pir, { sections, actionItems, slaOutcomes: slaOutcomesOf(inc) }, ref(actor), now);
      await this.emit(em, rec, inc.reference, 'pir.updated', {
        sections: Object.keys(stripUndefined(input.sections ?? {})),
        actionItems: rec.actionItems.length,
      });
      return rec;
    });
    return this.view(saved, inc);
  }

  async transition(incidentId: string, input: PirTransitionInput): Promise<PirView> {
    const actor = this.writer();
    const inc = await this.incidents.get(incidentId);
    const now = this.clock.now();
    const saved = await this.db.tx(async (em) => {
      let pir = await this.pirs.findByIncident(em, incidentId, { lock: true });
      if (input.to === 'waived') return this.waive(em, inc, pir, input.reason, actor, now);
      if (!pir) throw new PirNotFound();
      const by = ref(actor);
      switch (input.to) {
        case 'in_review':
          this.expect(pir, ['draft'], 'in_review');
          pir = await this.pirs.update(em, pir, { status: 'in_review' }, by, now);
          await this.emit(em, pir, inc.reference, 'pir.submitted', {});
          return pir;
        case 'draft':
          this.expect(pir, ['in_review'], 'draft');
          pir = await this.pirs.update(em, pir, { status: 'draft' }, by, now);
          await this.emit(em, pir, inc.reference, 'pir.returned_to_draft', input.reason ? { reason: input.reason } : {});
          return pir;
        case 'published': {
          this.expect(pir, ['in_review'], 'published');
          // Stops the PIR clock in this transaction: the review and the clock never disagree.
          await this.incidents.recordPirDelivered(em, incidentId, now);
          const slaOutcomes = slaOutcomesOf(inc, now);
          const published: PirView = {
            ...this.view(pir, inc),
            status: 'published' as const,
            version: pir.version + 1,
            publishedAt: now.toISOString(),
            slaOutcomes,
          };
          const hubRecord = hubRecordOf(inc, published, actor.label, this.baseUrl());
          pir = await this.pirs.update(em, pir, { status: 'published', publishedAt: now, publishedBy: by, slaOutcomes, hubRecord }, by, now);
          const pirClock = inc.sla.clocks.pirDue;
          const onTime = pirClock.dueAt ? now.getTime() <= Date.parse(pirClock.dueAt) : null;
          // The thread and the webhooks announce the review from the event alone: its summary and links travel with it.
          await this.emit(em, pir, inc.reference, 'pir.published', {
            deliveredAt: now.toISOString(),
            onTime,
            summary: excerptOf(published.sections.summary, 600),
            links: { pir: hubRecord.links.pir, pdf: hubRecord.links.pdf },
          });
          await this.scheduleRender(em, pir);
          return pir;
        }
      }
    });
    return this.view(saved, inc);
  }

  /** The Hub output record stored at publication (null unless published); for the notifications module's Hub delivery. */
  async hubRecordOf(em: EntityManager, pirId: string): Promise<PirHubRecord | null> {
    const pir = await this.pirs.findById(em, pirId);
    return pir?.status === 'published' ? pir.hubRecord : null;
  }

  /** Action items stay trackable after publication: their status changes, with an event, and the PDF follows. */
  async updateActionItem(incidentId: string, itemId: string, input: UpdateActionItemInput): Promise<PirView> {
    const actor = this.writer();
    const inc = await this.incidents.get(incidentId);
    const now = this.clock.now();
    const saved = await this.db.tx(async (em) => {
      const pir = await this.locked(em, incidentId);
      if (pir.status === 'waived') throw new InvalidTransition('the review was waived; it has no action items');
      const item = pir.actionItems.find((a) => a.id === itemId);
      if (!item) throw new PirNotFound();
      if (item.status === input.status) return pir;
      const actionItems = pir.actionItems.map((a) => (a.id === itemId ? { ...a, status: input.status } : a));
      const rec = await this.pirs.update(em, pir, { actionItems }, ref(actor), now);
      await this.emit(em, rec, inc.reference, 'pir.action_item_updated', { actionItemId: itemId, from: item.status, to: input.status });
      if (rec.status === 'published') await this.scheduleRender(em, rec);
      return rec;
    });
    return this.view(saved, inc);
  }

  /** The published review's PDF; each download is a governance event. */
  async downloadPdf(incidentId: string): Promise<PirPdfDownload> {
    const inc = await this.incidents.get(incidentId);
    const held: { stream?: Readable } = {};
    try {
      return await this.db.tx(async (em) => {
        const pir = this.visible(await this.pirs.findByIncident(em, incidentId));
        if (pir.status !== 'published') throw new PirNotFound();
        if (!pir.pdfStorageKey || !pir.pdfSha256) throw new PirPdfNotReady();
        const opened = await this.storage.get(pir.pdfStorageKey);
        held.stream = opened.stream;
        await this.emit(em, pir, inc.reference, 'pir.downloaded', { sha256: pir.pdfSha256 }, pir.pdfVersion ?? pir.version);
        return { ...opened, filename: `PIR-${inc.reference}-v${pir.pdfVersion ?? pir.version}.pdf`, sha256: pir.pdfSha256 };
      });
    } catch (err) {
      held.stream?.destroy();
      throw err;
    }
  }

  /**
   * The render job's work (tenant context already entered): prints the published review unless the stored PDF was
   * made from the same content (content hash), stores it with the evidence, records `pir.rendered`.
   */
  async renderPdf(pirId: string, renderer: PirPdfRenderer): Promise<'rendered' | 'unchanged' | 'skipped'> {
    const pir = await this.db.tx((em) => this.pirs.findById(em, pirId));
    if (!pir || pir.status !== 'published') return 'skipped';
    const inc = await this.incidents.get(pir.incidentId);
    const view = this.view(pir, inc);
    const model = documentModel(inc, view, pir.publishedBy?.label ?? pir.updatedBy.label);
    const options = { format: 'A4' as const };
    const hash = pirContentHash(model, options);
    if (pir.pdfContentHash === hash && pir.pdfStorageKey) return 'unchanged';
    const { pdf, pages } = await renderer.renderDocument(model, { ...options, producedAt: pir.publishedAt ?? this.clock.now() });
    const key = await this.storage.put(Readable.from([pdf]));
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const previous = pir.pdfStorageKey;
    try {
      await this.db.tx(async (em) => {
        const current = await this.pirs.findByIncident(em, pir.incidentId, { lock: true });
        if (!current || current.pdfContentHash === hash) throw new RenderSuperseded();
        await this.pirs.recordPdf(em, pir.id, {
          storageKey: key,
          sha256,
          contentHash: hash,
          sizeBytes: pdf.length,
          version: pir.version,
          at: this.clock.now(),
        });
        await this.emit(em, pir, inc.reference, 'pir.rendered', { sha256, sizeBytes: pdf.length, pages }, pir.version, {
          kind: 'system',
          id: 'pir-render',
          label: 'PIR renderer',
        });
      });
    } catch (err) {
      await this.storage.delete(key);
      if (err instanceof RenderSuperseded) return 'unchanged';
      throw err;
    }
    if (previous) await this.storage.delete(previous).catch((e: unknown) => this.logger.warn({ err: e }, 'old PIR PDF not removed'));
    return 'rendered';
  }

  private async waive(em: EntityManager, inc: IncidentDetail, pir: PirRecord | null, reason: string | undefined, actor: Actor, now: Date) {
    if (!reason) throw new ValidationFailed([{ field: 'reason', message: 'is required to waive a post-incident review' }]);
    if (pir && pir.status !== 'draft' && pir.status !== 'in_review') throw new InvalidTransition(`the review is ${pir.status}; it cannot be waived`);
    await this.incidents.recordPirWaived(em, inc.id, now);
    const by = ref(actor);
    const rec = pir
      ? await this.pirs.update(em, pir, { status: 'waived', waiverReason: reason }, by, now)
      : await this.pirs.insert(em, {
          tenantId: inc.tenant.id,
          incidentId: inc.id,
          status: 'waived',
          sections: prefilledSections(inc),
          timeline: timelineOf(inc),
          actionItems: [],
          slaOutcomes: slaOutcomesOf(inc),
          waiverReason: reason,
          by,
          at: now,
        });
    if (!rec) throw new InvalidTransition(`${inc.reference} already has a post-incident review`);
    await this.emit(em, rec, inc.reference, 'pir.waived', { reason });
    return rec;
  }

  private scheduleRender(em: EntityManager, pir: PirRecord) {
    return this.outbox.enqueueJob(em, JobName.PirRender, { tenantId: pir.tenantId, pirId: pir.id }, { dedupKey: `pir-render:${pir.id}:${pir.version}` });
  }

  private async locked(em: EntityManager, incidentId: string): Promise<PirRecord> {
    const pir = await this.pirs.findByIncident(em, incidentId, { lock: true });
    if (!pir) throw new PirNotFound();
    return pir;
  }

  private expect(pir: PirRecord, from: PirRecord['status'][], to: string) {
    if (!from.includes(pir.status)) throw new InvalidTransition(`the review is ${pir.status}; it cannot move to ${to}`);
  }

  /** Support engineers write; everyone else reads (the controller's roles say the same). */
  private writer(): Actor {
    const actor = TenantContext.actor();
    if (actor.role !== 'support_engineer') throw new Forbidden('post-incident reviews are written by support engineers');
    return actor;
  }

  private visible(pir: PirRecord | null): PirRecord {
    if (!pir) throw new PirNotFound();
    if (TENANT_ROLES.has(TenantContext.actor().role) && !TENANT_VISIBLE.has(pir.status)) throw new PirNotFound();
    return pir;
  }

  private emit<T extends Parameters<typeof pirEvent>[0]>(
    em: EntityManager,
    pir: PirRecord,
    reference: string,
    type: T,
    extra: Record<string, unknown>,
    version = pir.version,
    actor?: ActorRef,
  ) {
    return this.events.emit(em, pirEvent(type, pir, reference, version, extra, actor));
  }

  private baseUrl(): string {
    return (this.config.publicUrl ?? `http://${this.config.host}:${this.config.port}`).replace(/\/$/, '');
  }

  view(pir: PirRecord, inc: IncidentDetail): PirView {
    return {
      id: pir.id,
      incidentId: pir.incidentId,
      reference: inc.reference,
      severity: inc.severity,
      status: pir.status,
      version: pir.version,
      sections: Object.fromEntries(PIR_SECTION_KEYS.map((k) => [k, pir.sections[k] ?? ''])) as Record<PirSectionKey, string>,
      timeline: pir.timeline,
      actionItems: pir.actionItems,
      slaOutcomes: pir.slaOutcomes,
      waiverReason: pir.waiverReason,
      createdAt: iso(pir.createdAt)!,
      updatedAt: iso(pir.updatedAt)!,
      updatedBy: pir.updatedBy,
      publishedAt: iso(pir.publishedAt),
      pdf: { ready: !!pir.pdfStorageKey, version: pir.pdfVersion, sizeBytes: pir.pdfSizeBytes, sha256: pir.pdfSha256 },
      hubRecord: pir.hubRecord,
    };
  }
}

class RenderSuperseded extends Error {}

type PirEventType =
  | 'pir.created'
  | 'pir.updated'
  | 'pir.submitted'
  | 'pir.returned_to_draft'
  | 'pir.published'
  | 'pir.waived'
  | 'pir.action_item_updated'
  | 'pir.rendered'
  | 'pir.downloaded';

function pirEvent(type: PirEventType, pir: PirRecord, reference: string, version: number, extra: Record<string, unknown>, actor?: ActorRef) {
  return {
    type,
    tenantId: pir.tenantId,
    subjectId: pir.id,
    incidentId: pir.incidentId,
    ...(actor ? { actor } : {}),
    payload: { reference, version, ...extra },
  } as Parameters<DomainEvents['emit']>[1];
}

/** Plain text of at most `max` characters, cut at a word. */
function excerptOf(markdown: string, max: number): string {
  const text = markdown.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(' ') > max / 2 ? cut.lastIndexOf(' ') : cut.length)}…`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Items keep their id (and, unless given, their status) across edits; a new item gets an id and starts open. */
function mergeActionItems(current: PirActionItem[], input: UpdatePirInput['actionItems'] & object): PirActionItem[] {
  const known = new Map(current.map((a) => [a.id, a]));
  const fields: { field: string; message: string }[] = [];
  const out = input.map((a, i) => {
    if (a.id && !known.has(a.id)) fields.push({ field: `actionItems.${i}.id`, message: 'is not an action item of this review' });
    const prev = a.id ? known.get(a.id) : undefined;
    return {
      id: prev?.id ?? randomUUID(),
      action: a.action,
      owner: a.owner,
      priority: a.priority,
      dueDate: a.dueDate ?? null,
      status: a.status ?? prev?.status ?? 'open',
    };
  });
  if (fields.length) throw new ValidationFailed(fields);
  return out;
}
