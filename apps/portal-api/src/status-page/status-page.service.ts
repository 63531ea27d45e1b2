import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Feed } from 'feed';
import { TenantContext } from '@portal/tenancy';
import type { EntityManager } from 'typeorm';
import {
  ComponentState,
  CreatePublicIncidentInput,
  CreateStatusSubscriptionInput,
  MaintenanceUpdateInput,
  PublicIncidentUpdateInput,
  PublicIncidentView,
  ScheduleMaintenanceInput,
  SERVICES,
  SetComponentStateInput,
  StaffPublicIncidentView,
  STATUS_REGION_CODES,
  StatusComponentView,
  StatusPageView,
  StatusSubscriptionCreated,
} from '@portal/contracts';
import { Clock } from '../common/clock';
import { Conflict, InvalidTransition, NotFound, ValidationFailed } from '../common/domain-errors';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { EgressRefused, GuardedHttp } from '../egress/guarded-http';
import { DomainEvents } from '../events/domain-events.service';
import { IncidentsService } from '../incidents/incidents.service';
import { OutboxService } from '../outbox/outbox.service';
import { JobName } from '../queue/jobs';
import { RateLimits } from '../rate-limits/rate-limits';
import { openSecret, sealSecret } from '../sso/secret-box';
import { PostRow, StatusPageRepository, SubscriberRow } from './status-page.repository';
import { maintenanceText, uptimeHistory, worstState } from './status-core';

/** Who acts when nobody signed in: a visitor subscribing, confirming or unsubscribing. */
const VISITOR = { kind: 'public', id: 'anonymous', label: 'a status-page visitor' };
const CONFIRM_HOURS = 48;
const HISTORY_DAYS = 90;

export class StatusPostNotFound extends NotFound {
  constructor(what = 'status-page post') {
    super(`${what} not found`);
  }
}
export class StatusComponentNotFound extends NotFound {
  constructor() {
    super('status-page component not found');
  }
}
/** A confirmation or unsubscribe token that names nothing, was used, or expired: one answer for all. */
export class StatusTokenInvalid extends NotFound {
  constructor() {
    super('this link is not valid any more');
  }
}

export interface FeedFilter {
  service?: string;
  region?: string;
}

/**
 * The vendor's public status page: components (services × regions) and their states, public incidents and
 * scheduled maintenance with their updates, the 90-day uptime history, feeds, and subscriptions. Vendor-wide
 * data in the `status` scope (see the migration); a tenant incident is only ever referenced, never shown.
 */
@Injectable()
export class StatusPageService {
  private readonly tokenKey: Buffer;
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly db: Db,
    private readonly repo: StatusPageRepository,
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly incidents: IncidentsService,
    private readonly egress: GuardedHttp,
    private readonly limits: RateLimits,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {
    this.tokenKey = createHmac('sha256', config.secretKey).update('status-page-tokens').digest();
    this.keys = new Map([[config.secretKeyId, config.secretKey]]);
  }

  get baseUrl(): string {
    return (this.config.publicUrl ?? `http://${this.config.host === '0.0.0.0' ? '127.0.0.1' : this.config.host}:${this.config.port}`).replace(/\/+$/, '');
  }

  // ---- the public page ----------------------------------------------------------------------------------

  async page(): Promise<StatusPageView> {
    const now = this.clock.now();
    return this.db.scoped('status', async (em) => {
      const components = await this.componentViews(em, now);
      const posts = (await this.postViews(em, await this.repo.posts(em, { since: new Date(now.getTime() - 14 * 86_400_000), limit: 100 }))).map(toPublicView);
      const services = SERVICES.map((service) => {
        const cs = components.filter((c) => c.service === service);
        return { service, state: worstState(cs.map((c) => c.state)), components: cs };
      });
      return {
        generatedAt: now.toISOString(),
        overall: worstState(components.map((c) => c.state)),
        services,
        activeIncidents: posts.filter((p) => p.kind === 'incident' && p.status !== 'resolved'),
        maintenance: posts.filter((p) => p.kind === 'maintenance' && (p.status === 'scheduled' || p.status === 'in_progress')),
        recent: posts.filter((p) => p.status === 'resolved' || p.status === 'completed' || p.status === 'cancelled'),
      };
    });
  }

  private async componentViews(em: EntityManager, now: Date): Promise<StatusComponentView[]> {
    const since = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
    const changes = await this.repo.changesSince(em, since);
    return (await this.repo.components(em)).map((c) => {
      const h = uptimeHistory(
        changes.filter((x) => x.componentId === c.id).map((x) => ({ state: x.state, at: new Date(x.at) })),
        now,
        HISTORY_DAYS,
      );
      return {
        id: c.id,
        service: c.service,
        region: c.region,
        regionName: c.regionName,
        state: c.state,
        stateSince: new Date(c.stateSince).toISOString(),
        uptime: h.days,
        uptime90d: h.overall,
      };
    });
  }

  private async postViews(em: EntityManager, rows: PostRow[]): Promise<StaffPublicIncidentView[]> {
    const ids = rows.map((r) => r.id);
    const comps = await this.repo.postComponents(em, ids);
    const updates = await this.repo.updates(em, ids);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      status: r.status as PublicIncidentView['status'],
      impact: r.impact,
      components: comps.filter((c) => c.postId === r.id).map((c) => ({ service: c.service, region: c.region })),
      startsAt: new Date(r.startsAt).toISOString(),
      endsAt: r.endsAt ? new Date(r.endsAt).toISOString() : null,
      resolvedAt: r.resolvedAt ? new Date(r.resolvedAt).toISOString() : null,
      createdAt: new Date(r.createdAt).toISOString(),
      updates: updates
        .filter((u) => u.postId === r.id)
        .map((u) => ({ id: u.id, status: u.status as PublicIncidentView['status'], body: u.body, postedAt: new Date(u.postedAt).toISOString() })),
      linkedIncident: r.linkedIncidentId ? { id: r.linkedIncidentId, tenantId: r.linkedTenantId! } : null,
    }));
  }

  /** 400 naming the filter when a value is not a service or region of the page. */
  static checkFilter(f: FeedFilter): void {
    const fields: { field: string; message: string }[] = [];
    if (f.service !== undefined && !(SERVICES as readonly string[]).includes(f.service)) {
      fields.push({ field: 'service', message: `unknown service "${f.service.slice(0, 60)}"; one of ${SERVICES.join(', ')}` });
    }
    if (f.region !== undefined && !(STATUS_REGION_CODES as readonly string[]).includes(f.region)) {
      fields.push({ field: 'region', message: `unknown region "${f.region.slice(0, 60)}"; one of ${STATUS_REGION_CODES.join(', ')}` });
    }
    if (fields.length) throw new ValidationFailed(fields);
  }

  /** RSS 2.0 or Atom 1.0: one entry per public update of the last 90 days, filtered by service and region. */
  async feed(format: 'rss' | 'atom', filter: FeedFilter): Promise<string> {
    StatusPageService.checkFilter(filter);
    const now = this.clock.now();
    const posts = await this.db.scoped('status', async (em) =>
      (await this.postViews(em, await this.repo.posts(em, { since: new Date(now.getTime() - HISTORY_DAYS * 86_400_000), limit: 200 }))).map(toPublicView),
    );
    const wanted = posts.filter((p) =>
      p.components.some((c) => (!filter.service || c.service === filter.service) && (!filter.region || c.region === filter.region)),
    );
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]).toString();
    const suffix = query ? `?${query}` : '';
    const scope = [filter.service, filter.region].filter(Boolean).join(', ');
    const feed = new Feed({
      title: `Service status${scope ? ` — ${scope}` : ''}`,
      description: 'Incidents and scheduled maintenance of the vendor’s services',
      id: `${this.baseUrl}/status${suffix}`,
      link: `${this.baseUrl}/status`,
      language: 'en',
      updated: now,
      copyright: 'Claresia',
      feedLinks: { rss: `${this.baseUrl}/status/history.rss${suffix}`, atom: `${this.baseUrl}/status/history.atom${suffix}` },
    });
    const entries = wanted
      .flatMap((p) => p.updates.map((u) => ({ p, u })))
      .sort((a, b) => b.u.postedAt.localeCompare(a.u.postedAt))
      .slice(0, 100);
    for (const { p, u } of entries) {
      const where = p.components.map((c) => `${c.service} (${c.region})`).join(', ');
      feed.addItem({
        title: `${p.title} — ${u.status.replace('_', ' ')}`,
        id: `${this.baseUrl}/status#update-${u.id}`,
        link: `${this.baseUrl}/status#post-${p.id}`,
        date: new Date(u.postedAt),
        description: `${u.body}\n\nAffected: ${where}`,
        category: p.components.map((c) => ({ name: c.service })),
      });
    }
    return format === 'rss' ? feed.rss2() : feed.atom1();
  }

  // ---- staff ----------------------------------------------------------------------------------------------

  async staffPosts(): Promise<StaffPublicIncidentView[]> {
    const now = this.clock.now();
    return this.db.scoped('status', async (em) =>
      this.postViews(em, await this.repo.posts(em, { since: new Date(now.getTime() - HISTORY_DAYS * 86_400_000), limit: 200 })),
    );
  }

  async setComponentState(componentId: string, input: SetComponentStateInput): Promise<StatusComponentView> {
    const now = this.clock.now();
    return this.db.scoped('status', async (em) => {
      const c = (await this.repo.components(em)).find((x) => x.id === componentId);
      if (!c) throw new StatusComponentNotFound();
      await this.changeComponents(em, [c.id], input.state, { reason: input.reason });
      return (await this.componentViews(em, now)).find((x) => x.id === componentId)!;
    });
  }

  /** Moves components to `state`, one governance event per component that changed. */
  private async changeComponents(
    em: EntityManager,
    ids: string[],
    state: ComponentState,
    ctx: { reason?: string; postId?: string; onlyFrom?: ComponentState[] },
  ) {
    const now = this.clock.now();
    const all = await this.repo.components(em);
    for (const id of ids) {
      const c = all.find((x) => x.id === id)!;
      if (c.state === state || (ctx.onlyFrom && !ctx.onlyFrom.includes(c.state))) continue;
      await this.repo.setComponentState(em, id, state, now);
      await this.events.emit(em, {
        type: 'status_page.component_changed',
        tenantId: null,
        subjectId: id,
        payload: {
          service: c.service,
          region: c.region,
          from: c.state,
          to: state,
          ...(ctx.reason ? { reason: ctx.reason } : {}),
          ...(ctx.postId ? { postId: ctx.postId } : {}),
        },
      });
    }
  }

  private async componentIds(em: EntityManager, refs: { service: string; region: string }[]): Promise<string[]> {
    const all = await this.repo.components(em);
    return [...new Set(refs.map((r) => all.find((c) => c.service === r.service && c.region === r.region)!.id))];
  }

  async createIncident(input: CreatePublicIncidentInput): Promise<StaffPublicIncidentView> {
    // The link is checked in the caller's own tenant scope: a staff member can only link what they can see.
    const linked = input.linkedIncidentId ? await this.incidents.get(input.linkedIncidentId) : null;
    const now = this.clock.now();
    const by = this.actorLabel();
    return this.db.scoped('status', async (em) => {
      const componentIds = await this.componentIds(em, input.components);
      const id = await this.repo.insertPost(em, {
        kind: 'incident',
        title: input.title,
        status: input.status,
        impact: input.impact,
        startsAt: now,
        endsAt: null,
        createdAt: now,
        createdBy: by,
        componentIds,
        linkedIncidentId: linked?.id ?? null,
        linkedTenantId: linked?.tenant.id ?? null,
      });
      await this.events.emit(em, {
        type: 'status_page.incident_posted',
        tenantId: null,
        subjectId: id,
        payload: {
          kind: 'incident',
          title: input.title,
          status: input.status,
          impact: input.impact,
          components: input.components.map((c) => `${c.service}/${c.region}`),
          linkedIncidentId: linked?.id ?? null,
          linkedTenantId: linked?.tenant.id ?? null,
        },
      });
      await this.changeComponents(em, componentIds, input.impact, { postId: id });
      await this.addUpdate(em, id, 'incident', input.status, input.body);
      return (await this.postViews(em, [(await this.repo.post(em, id))!]))[0];
    });
  }

  async updateIncident(id: string, input: PublicIncidentUpdateInput): Promise<StaffPublicIncidentView> {
    const now = this.clock.now();
    return this.db.scoped('status', async (em) => {
      const post = await this.repo.post(em, id, true);
      if (!post || post.kind !== 'incident') throw new StatusPostNotFound('public incident');
      if (post.status === 'resolved') throw new InvalidTransition('this public incident is resolved; post a new one');
      const componentIds = (await this.repo.postComponents(em, [id])).map((c) => c.componentId);
      const resolved = input.status === 'resolved';
      const impact: ComponentState = input.impact ?? (resolved ? 'operational' : post.impact);
      await this.repo.updatePostStatus(em, id, input.status, resolved ? post.impact : impact, resolved ? now : null);
      await this.changeComponents(em, componentIds, impact, { postId: id });
      await this.addUpdate(em, id, 'incident', input.status, input.body);
      return (await this.postViews(em, [(await this.repo.post(em, id))!]))[0];
    });
  }

  async scheduleMaintenance(input: ScheduleMaintenanceInput): Promise<StaffPublicIncidentView> {
    const now = this.clock.now();
    const by = this.actorLabel();
    const startsAt = new Date(input.startsAt);
    const endsAt = new Date(input.endsAt);
    if (endsAt.getTime() <= now.getTime()) throw new ValidationFailed([{ field: 'endsAt', message: 'must be in the future' }]);
    const text = maintenanceText({ startsAt, endsAt, services: input.components.map((c) => c.service), expectedImpact: input.expectedImpact });
    return this.db.scoped('status', async (em) => {
      const componentIds = await this.componentIds(em, input.components);
      const id = await this.repo.insertPost(em, {
        kind: 'maintenance',
        title: text.title,
        status: 'scheduled',
        impact: 'maintenance',
        startsAt,
        endsAt,
        createdAt: now,
        createdBy: by,
        componentIds,
        linkedIncidentId: null,
        linkedTenantId: null,
      });
      await this.events.emit(em, {
        type: 'status_page.incident_posted',
        tenantId: null,
        subjectId: id,
        payload: {
          kind: 'maintenance',
          title: text.title,
          status: 'scheduled',
          impact: 'maintenance',
          components: input.components.map((c) => `${c.service}/${c.region}`),
          linkedIncidentId: null,
          linkedTenantId: null,
        },
      });
      await this.addUpdate(em, id, 'maintenance', 'scheduled', text.body);
      return (await this.postViews(em, [(await this.repo.post(em, id))!]))[0];
    });
  }

  async updateMaintenance(id: string, input: MaintenanceUpdateInput): Promise<StaffPublicIncidentView> {
    const now = this.clock.now();
    return this.db.scoped('status', async (em) => {
      const post = await this.repo.post(em, id, true);
      if (!post || post.kind !== 'maintenance') throw new StatusPostNotFound('maintenance');
      if (post.status === 'completed' || post.status === 'cancelled') throw new InvalidTransition(`this maintenance is ${post.status}`);
      const componentIds = (await this.repo.postComponents(em, [id])).map((c) => c.componentId);
      const over = input.status === 'completed' || input.status === 'cancelled';
      await this.repo.updatePostStatus(em, id, input.status, 'maintenance', over ? now : null);
      if (input.status === 'in_progress') await this.changeComponents(em, componentIds, 'maintenance', { postId: id, onlyFrom: ['operational'] });
      if (over) await this.changeComponents(em, componentIds, 'operational', { postId: id, onlyFrom: ['maintenance'] });
      await this.addUpdate(em, id, 'maintenance', input.status, input.body);
      return (await this.postViews(em, [(await this.repo.post(em, id))!]))[0];
    });
  }

  /** A public update, its governance event, and (same transaction, through the outbox) its fan-out to subscribers. */
  private async addUpdate(em: EntityManager, postId: string, kind: 'incident' | 'maintenance', status: string, body: string): Promise<string> {
    const updateId = await this.repo.insertUpdate(em, { postId, status, body, postedAt: this.clock.now(), postedBy: this.actorLabel() });
    await this.events.emit(em, { type: 'status_page.update_posted', tenantId: null, subjectId: updateId, payload: { postId, kind, status } });
    await this.outbox.enqueueJob(em, JobName.StatusFanout, { tenantId: null, updateId }, { dedupKey: `status-fanout:${updateId}` });
    return updateId;
  }

  private actorLabel(): string {
    return TenantContext.maybeStore()?.actor?.label ?? 'system';
  }

  // ---- subscriptions --------------------------------------------------------------------------------------

  private hmac(purpose: string, value: string): string {
    return createHmac('sha256', this.tokenKey).update(`${purpose}:${value}`).digest('base64url');
  }
  private token(purpose: 'confirm' | 'unsubscribe', id: string, nonce = ''): string {
    return `${id}.${this.hmac(purpose, `${id}:${nonce}`)}`;
  }
  /** The subscriber id a token names, when its MAC is right for `purpose` (nonce: the pending confirmation's). */
  private tokenSubscriber(token: string): string | null {
    const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(token);
    return m ? m[1] : null;
  }
  private tokenMatches(token: string, purpose: 'confirm' | 'unsubscribe', id: string, nonce = ''): boolean {
    const a = Buffer.from(token);
    const b = Buffer.from(this.token(purpose, id, nonce));
    return a.length === b.length && timingSafeEqual(a, b);
  }

  unsubscribeUrl(subscriberId: string): string {
    return `${this.baseUrl}/api/v1/status/subscriptions/unsubscribe?token=${encodeURIComponent(this.token('unsubscribe', subscriberId))}`;
  }
  unsubscribePageUrl(subscriberId: string): string {
    return `${this.baseUrl}/status/unsubscribe?token=${encodeURIComponent(this.token('unsubscribe', subscriberId))}`;
  }
  confirmUrl(subscriberId: string, nonce: string): string {
    return `${this.baseUrl}/status/confirm?token=${encodeURIComponent(this.token('confirm', subscriberId, nonce))}`;
  }

  async subscribe(input: CreateStatusSubscriptionInput): Promise<StatusSubscriptionCreated> {
    const now = this.clock.now();
    const target = input.channel === 'email' ? input.email.trim().toLowerCase() : input.url;
    if (input.channel !== 'email') {
      try {
        this.egress.checkUrl(input.url);
      } catch (e) {
        if (e instanceof EgressRefused) throw new ValidationFailed([{ field: 'url', message: e.message }]);
        throw e;
      }
    }
    const targetHash = this.hmac('target', `${input.channel}:${target}`);
    // No mail bombing of a third party: a few subscriptions per address and day, whoever asks.
    await this.limits.consume('subscribe:target', targetHash);
    return this.db.scoped('status', async (em) => {
      const existing = await this.repo.activeByTarget(em, input.channel, targetHash);
      if (input.channel === 'email') {
        const answer: StatusSubscriptionCreated = { channel: 'email', state: 'pending_confirmation' };
        // The same answer whether or not the address is known: the API does not tell who subscribed.
        if (existing?.confirmedAt) return answer;
        const nonce = randomBytes(16).toString('base64url');
        const expires = new Date(now.getTime() + CONFIRM_HOURS * 3_600_000);
        let id = existing?.id ?? null;
        if (id) await this.repo.resetConfirmation(em, id, nonce, expires, input.services, input.regions);
        else {
          id = await this.repo.insertSubscriber(em, {
            channel: 'email',
            email: target,
            targetSealed: null,
            targetHash,
            secretSealed: null,
            services: input.services,
            regions: input.regions,
            createdAt: now,
            confirmedAt: null,
            confirmNonce: nonce,
            confirmExpiresAt: expires,
          });
          if (!id) return answer;
          await this.events.emit(em, {
            type: 'status_page.subscription_created',
            tenantId: null,
            subjectId: id,
            actor: VISITOR,
            payload: { channel: 'email', services: input.services, regions: input.regions },
          });
        }
        await this.outbox.enqueueJob(em, JobName.StatusConfirmMail, { tenantId: null, subscriberId: id }, { dedupKey: `status-confirm:${id}:${nonce}` });
        return answer;
      }
      if (existing) throw new Conflict('this URL is already subscribed');
      const signingSecret = input.channel === 'webhook' ? `whsec_${randomBytes(24).toString('base64')}` : undefined;
      const id = await this.repo.insertSubscriber(em, {
        channel: input.channel,
        email: null,
        targetSealed: sealSecret(input.url, this.config.secretKey, this.config.secretKeyId, `status-subscriber:${targetHash}`),
        targetHash,
        secretSealed: signingSecret
          ? sealSecret(signingSecret, this.config.secretKey, this.config.secretKeyId, `status-subscriber-secret:${targetHash}`)
          : null,
        services: input.services,
        regions: input.regions,
        createdAt: now,
        confirmedAt: now,
        confirmNonce: null,
        confirmExpiresAt: null,
      });
      if (!id) throw new Conflict('this URL is already subscribed');
      await this.events.emit(em, {
        type: 'status_page.subscription_created',
        tenantId: null,
        subjectId: id,
        actor: VISITOR,
        payload: { channel: input.channel, services: input.services, regions: input.regions },
      });
      return { id, channel: input.channel, state: 'active', ...(signingSecret ? { signingSecret } : {}), unsubscribeToken: this.token('unsubscribe', id) };
    });
  }

  /** Double opt-in: the link's token is single use (its nonce is cleared) and expires after 48 hours. */
  async confirm(token: string): Promise<{ channel: string; services: string[]; regions: string[] }> {
    const id = this.tokenSubscriber(token);
    if (!id) throw new StatusTokenInvalid();
    const now = this.clock.now();
    return this.db.scoped('status', async (em) => {
      const s = await this.repo.subscriber(em, id, true);
      if (!s || s.unsubscribedAt || !s.confirmNonce || !s.confirmExpiresAt || new Date(s.confirmExpiresAt) <= now) throw new StatusTokenInvalid();
      if (!this.tokenMatches(token, 'confirm', id, s.confirmNonce)) throw new StatusTokenInvalid();
      await this.repo.confirm(em, id, now);
      await this.events.emit(em, {
        type: 'status_page.subscription_confirmed',
        tenantId: null,
        subjectId: id,
        actor: VISITOR,
        payload: { channel: s.channel },
      });
      return { channel: s.channel, services: s.services, regions: s.regions };
    });
  }

  /** One click (RFC 8058) or the page's button; unsubscribing twice answers the same. */
  async unsubscribe(token: string, how: 'one_click' | 'page'): Promise<{ unsubscribed: true }> {
    const id = this.tokenSubscriber(token);
    if (!id || !this.tokenMatches(token, 'unsubscribe', id)) throw new StatusTokenInvalid();
    const now = this.clock.now();
    return this.db.scoped('status', async (em) => {
      const s = await this.repo.subscriber(em, id, true);
      if (!s) throw new StatusTokenInvalid();
      if (!s.unsubscribedAt) {
        await this.repo.unsubscribe(em, id, now);
        await this.events.emit(em, {
          type: 'status_page.subscription_removed',
          tenantId: null,
          subjectId: id,
          actor: VISITOR,
          payload: { channel: s.channel, how },
        });
      }
      return { unsubscribed: true as const };
    });
  }

  // ---- for the jobs -----------------------------------------------------------------------------------------

  /** What the confirmation job needs, or null when the subscriber no longer waits for it. */
  async pendingConfirmation(subscriberId: string): Promise<{ email: string; url: string; services: string[]; regions: string[] } | null> {
    return this.db.scoped('status', async (em) => {
      const s = await this.repo.subscriber(em, subscriberId);
      if (!s || s.channel !== 'email' || s.confirmedAt || s.unsubscribedAt || !s.confirmNonce) return null;
      return { email: s.email!, url: this.confirmUrl(s.id, s.confirmNonce), services: s.services, regions: s.regions };
    });
  }

  /** Claims one delivery per (update, subscriber) of the update's audience and enqueues it (outbox). */
  async fanOut(updateId: string): Promise<number> {
    const now = this.clock.now();
    return this.db.scoped('status', async (em) => {
      const u = await this.repo.update(em, updateId);
      if (!u) return 0;
      const comps = await this.repo.postComponents(em, [u.postId]);
      let n = 0;
      for (const { id } of await this.repo.audience(em, comps)) {
        if (!(await this.repo.claimDelivery(em, updateId, id, now))) continue;
        await this.outbox.enqueueJob(
          em,
          JobName.StatusDeliver,
          { tenantId: null, updateId, subscriberId: id },
          { dedupKey: `status-deliver:${updateId}:${id}` },
        );
        n++;
      }
      return n;
    });
  }

  /**
   * Everything one delivery needs, or null when it is done already (delivered, or the subscriber left).
   * Opened secrets stay in memory for the send.
   */
  async deliveryWork(updateId: string, subscriberId: string): Promise<DeliveryWork | null> {
    return this.db.scoped('status', async (em) => {
      const d = await this.repo.delivery(em, updateId, subscriberId);
      if (!d || d.deliveredAt || d.skipped) return null;
      const s = await this.repo.subscriber(em, subscriberId);
      const u = await this.repo.update(em, updateId);
      if (!s || !u || s.unsubscribedAt || !s.confirmedAt) {
        await this.repo.recordDelivery(em, updateId, subscriberId, { skipped: 'unsubscribed' });
        return null;
      }
      const [post] = await this.postViews(em, [(await this.repo.post(em, u.postId))!]);
      return {
        subscriber: { id: s.id, channel: s.channel, email: s.email, ...this.openTargets(s) },
        post: toPublicView(post),
        update: { id: u.id, status: u.status, body: u.body, postedAt: new Date(u.postedAt).toISOString() },
        attempt: d.attempts + 1,
      };
    });
  }

  private openTargets(s: SubscriberRow): { url: string | null; secret: string | null } {
    return {
      url: s.targetSealed ? openSecret(s.targetSealed, this.keys, `status-subscriber:${s.targetHash}`) : null,
      secret: s.secretSealed ? openSecret(s.secretSealed, this.keys, `status-subscriber-secret:${s.targetHash}`) : null,
    };
  }

  async recordDelivery(updateId: string, subscriberId: string, outcome: { delivered: boolean; error?: string }): Promise<void> {
    await this.db.scoped('status', (em) =>
      this.repo.recordDelivery(em, updateId, subscriberId, outcome.delivered ? { deliveredAt: this.clock.now() } : { error: outcome.error }),
    );
  }
}

/** What the public sees: the staff view without the link to a tenant incident. */
function toPublicView({ linkedIncident: _hidden, ...v }: StaffPublicIncidentView): PublicIncidentView {
  return v;
}

export interface DeliveryWork {
  subscriber: { id: string; channel: 'email' | 'slack' | 'webhook'; email: string | null; url: string | null; secret: string | null };
  post: PublicIncidentView;
  update: { id: string; status: string; body: string; postedAt: string };
  attempt: number;
}
