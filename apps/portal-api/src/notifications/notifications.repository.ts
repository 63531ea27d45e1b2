import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeliveryStatus, NotificationChannel, NotificationDeliveryView, WebhookEndpointView, WebhookEventType } from '@portal/contracts';
import { sql } from '../database/sql';

/** The tenant's connected apps: its chat (Slack, Teams) and its Hub (h2b-pir-publish, issue 15). */
export type ConnectionKind = 'slack' | 'teams' | 'hub';

export interface ConnectionRecord {
  id: string;
  tenantId: string;
  kind: ConnectionKind;
  /**
   * Slack: the channel; Teams: the channel, its team and the app registration (directory, client id);
   * Hub: the URL output records are sent to (`channelId` empty).
   */
  settings: { channelId: string; teamId?: string; directoryId?: string; clientId?: string; url?: string };
  secretCiphertext: string;
  secretKeyId: string;
  tokenHint: string;
  updatedAt: Date;
}

export interface EndpointRecord {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  secretCiphertext: string;
  secretKeyId: string;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  backoffUntil: Date | null;
  createdAt: Date;
}

export interface DeliveryRecord {
  id: string;
  tenantId: string;
  incidentId: string | null;
  endpointId: string | null;
  eventId: string;
  eventType: string;
  channel: NotificationChannel;
  target: string;
  idempotencyKey: string;
  status: DeliveryStatus;
  attempts: number;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export interface NewDelivery {
  tenantId: string;
  incidentId: string | null;
  endpointId: string | null;
  eventId: string;
  eventType: string;
  channel: NotificationChannel;
  target: string;
  idempotencyKey: string;
  status: DeliveryStatus;
  lastError?: string | null;
  payload: object;
  at: Date;
}

export interface WebhookSuccess {
  id: string;
  tenantId: string;
  endpointId: string;
  attempts: number;
  at: Date;
  responseStatus: number | null;
  responseExcerpt: string | null;
  latencyMs: number | null;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

const connection = (r: Record<string, any>): ConnectionRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind,
  settings: r.settings,
  secretCiphertext: r.secret_ciphertext,
  secretKeyId: r.secret_key_id,
  tokenHint: r.token_hint,
  updatedAt: r.updated_at,
});

const endpoint = (r: Record<string, any>): EndpointRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  description: r.description,
  events: r.events,
  secretCiphertext: r.secret_ciphertext,
  secretKeyId: r.secret_key_id,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  consecutiveFailures: r.consecutive_failures,
  backoffUntil: r.backoff_until,
  createdAt: r.created_at,
});

const delivery = (r: Record<string, any>): DeliveryRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  incidentId: r.incident_id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  eventType: r.event_type,
  channel: r.channel,
  target: r.target,
  idempotencyKey: r.idempotency_key,
  status: r.status,
  attempts: r.attempts,
  payload: r.payload,
  createdAt: r.created_at,
});

export const endpointView = (e: EndpointRecord): WebhookEndpointView => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  consecutiveFailures: e.consecutiveFailures,
  createdAt: iso(e.createdAt)!,
});

const deliveryView = (r: Record<string, any>): NotificationDeliveryView => ({
  id: r.id,
  channel: r.channel,
  endpointId: r.endpoint_id,
  target: r.target,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  responseStatus: r.response_status,
  responseExcerpt: r.response_excerpt,
  latencyMs: r.latency_ms,
  createdAt: iso(r.created_at)!,
  lastAttemptAt: iso(r.last_attempt_at),
  deliveredAt: iso(r.delivered_at),
  nextAttemptAt: iso(r.next_attempt_at),
});

const DELIVERY_COLUMNS = `id, tenant_id, incident_id, endpoint_id, event_id, event_type, channel, target, idempotency_key, status, attempts, payload, created_at`;
const VIEW_COLUMNS = `id, channel, endpoint_id, target, event_type, status, attempts, last_error, response_status, response_excerpt, latency_ms,
  created_at, last_attempt_at, delivered_at, next_attempt_at`;

/** The notifications module's queries; every one runs in the caller's transaction, under row-level security. */
@Injectable()
export class NotificationsRepository {
  // ---- chat connections ----
  async connection(em: EntityManager, tenantId: string, kind: ConnectionKind): Promise<ConnectionRecord | null> {
    const [r] = await sql(em, `select * from notification_connections where tenant_id = $1 and kind = $2`, [tenantId, kind]);
    return r ? connection(r) : null;
  }

  /** The tenant's Slack and Teams connections in one query. */
  async connections(em: EntityManager, tenantId: string): Promise<{ slack: ConnectionRecord | null; teams: ConnectionRecord | null }> {
    const rows = (await sql(em, `select * from notification_connections where tenant_id = $1`, [tenantId])).map(connection);
    return { slack: rows.find((c) => c.kind === 'slack') ?? null, teams: rows.find((c) => c.kind === 'teams') ?? null };
  }

  async upsertConnection(
    em: EntityManager,
    c: { id: string; tenantId: string; kind: ConnectionKind; settings: object; secretCiphertext: string; secretKeyId: string; tokenHint: string; at: Date },
  ): Promise<void> {
    await sql(
      em,
      `insert into notification_connections (id, tenant_id, kind, settings, secret_ciphertext, secret_key_id, token_hint, created_at, updated_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$8)
       on conflict (tenant_id, kind) do update set id = excluded.id, settings = excluded.settings, secret_ciphertext = excluded.secret_ciphertext,
         secret_key_id = excluded.secret_key_id, token_hint = excluded.token_hint, updated_at = excluded.updated_at`,
      [c.id, c.tenantId, c.kind, JSON.stringify(c.settings), c.secretCiphertext, c.secretKeyId, c.tokenHint, c.at],
    );
  }

  async deleteConnection(em: EntityManager, tenantId: string, kind: ConnectionKind): Promise<ConnectionRecord | null> {
    const [r] = await sql(em, `delete from notification_connections where tenant_id = $1 and kind = $2 returning *`, [tenantId, kind]);
    return r ? connection(r) : null;
  }

  // ---- chat threads ----
  /** The incident's thread row in this channel, created if missing and locked until the transaction ends (one poster at a time). */
  async lockThread(
    em: EntityManager,
    tenantId: string,
    incidentId: string,
    channel: 'slack' | 'teams',
    target: string,
    at: Date,
  ): Promise<{ threadRef: string | null; target: string }> {
    await sql(em, `insert into incident_threads (tenant_id, incident_id, channel, target, updated_at) values ($1,$2,$3,$4,$5) on conflict do nothing`, [
      tenantId,
      incidentId,
      channel,
      target,
      at,
    ]);
    const [r] = await sql(em, `select thread_ref, target from incident_threads where tenant_id = $1 and incident_id = $2 and channel = $3 for update`, [
      tenantId,
      incidentId,
      channel,
    ]);
    return { threadRef: r.thread_ref, target: r.target };
  }

  async setThread(
    em: EntityManager,
    tenantId: string,
    incidentId: string,
    channel: 'slack' | 'teams',
    target: string,
    threadRef: string,
    at: Date,
  ): Promise<void> {
    await sql(em, `update incident_threads set thread_ref = $4, target = $5, updated_at = $6 where tenant_id = $1 and incident_id = $2 and channel = $3`, [
      tenantId,
      incidentId,
      channel,
      threadRef,
      target,
      at,
    ]);
  }

  /**
   * What planning an event needs to know about its incident's past, in one query: the chat threads already started
   * and whether the contacts were emailed / the on-call paged before.
   */
  async incidentHistory(
    em: EntityManager,
    tenantId: string,
    incidentId: string,
  ): Promise<{ slackThread: boolean; teamsThread: boolean; emailed: boolean; paged: boolean }> {
    const [r] = await sql<{ slack_thread: boolean; teams_thread: boolean; emailed: boolean; paged: boolean }>(
      em,
      `select exists (select 1 from incident_threads where tenant_id = $1 and incident_id = $2 and channel = 'slack' and thread_ref is not null) as slack_thread,
              exists (select 1 from incident_threads where tenant_id = $1 and incident_id = $2 and channel = 'teams' and thread_ref is not null) as teams_thread,
              exists (select 1 from notification_deliveries where tenant_id = $1 and incident_id = $2 and channel = 'email') as emailed,
              exists (select 1 from notification_deliveries where tenant_id = $1 and incident_id = $2 and channel = 'pagerduty') as paged`,
      [tenantId, incidentId],
    );
    return { slackThread: r.slack_thread, teamsThread: r.teams_thread, emailed: r.emailed, paged: r.paged };
  }

  async threadExists(em: EntityManager, tenantId: string, incidentId: string, channel: 'slack' | 'teams'): Promise<boolean> {
    const rows = await sql(em, `select 1 from incident_threads where tenant_id = $1 and incident_id = $2 and channel = $3 and thread_ref is not null`, [
      tenantId,
      incidentId,
      channel,
    ]);
    return rows.length > 0;
  }

  // ---- webhook endpoints ----
  async insertEndpoint(
    em: EntityManager,
    e: {
      id: string;
      tenantId: string;
      url: string;
      description: string;
      events: string[];
      secretCiphertext: string;
      secretKeyId: string;
      createdBy: object;
      at: Date;
    },
  ): Promise<EndpointRecord> {
    const [r] = await sql(
      em,
      `insert into webhook_endpoints (id, tenant_id, url, description, events, secret_ciphertext, secret_key_id, created_by, created_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9) returning *`,
      [e.id, e.tenantId, e.url, e.description, e.events, e.secretCiphertext, e.secretKeyId, JSON.stringify(e.createdBy), e.at],
    );
    return endpoint(r);
  }

  async endpoints(em: EntityManager, tenantId: string): Promise<EndpointRecord[]> {
    const rows = await sql(em, `select * from webhook_endpoints where tenant_id = $1 and deleted_at is null order by created_at, id`, [tenantId]);
    return rows.map(endpoint);
  }

  async endpointById(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<EndpointRecord | null> {
    const [r] = await sql(em, `select * from webhook_endpoints where id = $1 and deleted_at is null${opts.lock ? ' for update' : ''}`, [id]);
    return r ? endpoint(r) : null;
  }

  async updateEndpoint(
    em: EntityManager,
    id: string,
    patch: Partial<{
      enabled: boolean;
      disabledReason: string | null;
      description: string;
      events: string[];
      consecutiveFailures: number;
      backoffUntil: Date | null;
      deletedAt: Date;
    }>,
  ): Promise<void> {
    const cols: Record<string, string> = {
      enabled: 'enabled',
      disabledReason: 'disabled_reason',
      description: 'description',
      events: 'events',
      consecutiveFailures: 'consecutive_failures',
      backoffUntil: 'backoff_until',
      deletedAt: 'deleted_at',
    };
    const keys = Object.keys(patch) as (keyof typeof patch)[];
    if (!keys.length) return;
    const sets = keys.map((k, i) => `${cols[k]} = $${i + 2}`).join(', ');
    await sql(em, `update webhook_endpoints set ${sets} where id = $1`, [id, ...keys.map((k) => patch[k])]);
  }

  // ---- once-only marks ----
  /** true the first time a mark is set for the incident, false after. */
  async mark(em: EntityManager, tenantId: string, incidentId: string, mark: string, at: Date): Promise<boolean> {
    const rows = await sql(
      em,
      `insert into notification_marks (tenant_id, incident_id, mark, created_at) values ($1,$2,$3,$4) on conflict do nothing returning mark`,
      [tenantId, incidentId, mark, at],
    );
    return rows.length > 0;
  }

  // ---- deliveries ----
  /** One row per idempotency key: a redelivered event inserts nothing and returns null. */
  async insertDelivery(
    em: EntityManager,
    d: {
      tenantId: string;
      incidentId: string | null;
      endpointId: string | null;
      eventId: string;
      eventType: string;
      channel: NotificationChannel;
      target: string;
      idempotencyKey: string;
      status: DeliveryStatus;
      lastError?: string | null;
      payload: object;
      at: Date;
    },
  ): Promise<string | null> {
    const [r] = await sql<{ id: string }>(
      em,
      `insert into notification_deliveries (tenant_id, incident_id, endpoint_id, event_id, event_type, channel, target, idempotency_key, status, last_error, payload, created_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) on conflict (tenant_id, idempotency_key) do nothing returning id`,
      [
        d.tenantId,
        d.incidentId,
        d.endpointId,
        d.eventId,
        d.eventType,
        d.channel,
        d.target,
        d.idempotencyKey,
        d.status,
        d.lastError ?? null,
        JSON.stringify(d.payload),
        d.at,
      ],
    );
    return r?.id ?? null;
  }

  /**
   * Several deliveries in one statement; a key already recorded inserts nothing. Returns the id of each new row by
   * its idempotency key.
   */
  async insertDeliveries(em: EntityManager, ds: NewDelivery[]): Promise<Map<string, string>> {
    if (ds.length === 0) return new Map();
    const rows = await sql<{ id: string; idempotency_key: string }>(
      em,
      `insert into notification_deliveries (tenant_id, incident_id, endpoint_id, event_id, event_type, channel, target, idempotency_key, status, last_error, payload, created_at)
       select tenant_id, incident_id, endpoint_id, event_id, event_type, channel, target, idempotency_key, status, last_error, payload, created_at
         from jsonb_to_recordset($1::jsonb) as d(tenant_id uuid, incident_id uuid, endpoint_id uuid, event_id text, event_type text, channel text, target text,
           idempotency_key text, status text, last_error text, payload jsonb, created_at timestamptz)
       on conflict (tenant_id, idempotency_key) do nothing returning id, idempotency_key`,
      [
        JSON.stringify(
          ds.map((d) => ({
            tenant_id: d.tenantId,
            incident_id: d.incidentId,
            endpoint_id: d.endpointId,
            event_id: d.eventId,
            event_type: d.eventType,
            channel: d.channel,
            target: d.target,
            idempotency_key: d.idempotencyKey,
            status: d.status,
            last_error: d.lastError ?? null,
            payload: d.payload,
            created_at: d.at.toISOString(),
          })),
        ),
      ],
    );
    return new Map(rows.map((r) => [r.idempotency_key, r.id]));
  }

  /** Deliveries and, for webhooks, their live endpoints, in one query (the first read of each attempt). */
  /**
   * Deliveries with their webhook endpoints, and for a PagerDuty acknowledge or resolve whether its incident's trigger
   * is still pending (PagerDuty drops an event ahead of its trigger), in one statement for a round of attempts.
   */
  async deliveriesWithEndpoints(
    em: EntityManager,
    ids: string[],
  ): Promise<{ delivery: DeliveryRecord; endpoint: EndpointRecord | null; awaitingTrigger: boolean }[]> {
    const rows = await sql(
      em,
      `select ${DELIVERY_COLUMNS.split(', ')
        .map((c) => `d.${c}`)
        .join(', ')}, to_jsonb(e) as endpoint,
         (d.channel = 'pagerduty' and d.payload->>'pagerDutyAction' <> 'trigger' and exists (
            select 1 from notification_deliveries t
             where t.tenant_id = d.tenant_id and t.incident_id = d.incident_id and t.channel = 'pagerduty'
               and t.status in ('pending', 'retrying') and t.payload->>'pagerDutyAction' = 'trigger')) as awaiting_trigger
         from notification_deliveries d left join webhook_endpoints e on e.id = d.endpoint_id and e.tenant_id = d.tenant_id and e.deleted_at is null
        where d.id = any($1::uuid[])`,
      [ids],
    );
    return rows.map((r) => {
      const e = r.endpoint as Record<string, any> | null;
      return {
        delivery: delivery(r),
        endpoint: e ? { ...endpoint(e), backoffUntil: e.backoff_until ? new Date(e.backoff_until) : null, createdAt: new Date(e.created_at) } : null,
        awaitingTrigger: r.awaiting_trigger === true,
      };
    });
  }

  /**
   * Successful webhook attempts in one statement: each delivery recorded, and each endpoint's run of failures reset
   * (written, and locked, only when there was one to reset).
   */
  async recordWebhookSuccesses(em: EntityManager, attempts: WebhookSuccess[]): Promise<void> {
    if (attempts.length === 0) return;
    await sql(
      em,
      `with s as (
         select * from jsonb_to_recordset($1::jsonb) as s(id uuid, tenant_id uuid, endpoint_id uuid, attempts int, at timestamptz,
           response_status int, response_excerpt text, latency_ms int)
       ), reset as (
         update webhook_endpoints e set consecutive_failures = 0, backoff_until = null
           from (select distinct tenant_id, endpoint_id from s) x
          where e.id = x.endpoint_id and e.tenant_id = x.tenant_id and (e.consecutive_failures <> 0 or e.backoff_until is not null)
          returning e.id
       )
       update notification_deliveries d set status = 'delivered', attempts = s.attempts, last_attempt_at = s.at, delivered_at = s.at, last_error = null,
         response_status = s.response_status, response_excerpt = s.response_excerpt, latency_ms = s.latency_ms, next_attempt_at = null
         from s where d.id = s.id and d.tenant_id = s.tenant_id`,
      [
        JSON.stringify(
          attempts.map((a) => ({
            id: a.id,
            tenant_id: a.tenantId,
            endpoint_id: a.endpointId,
            attempts: a.attempts,
            at: a.at.toISOString(),
            response_status: a.responseStatus,
            response_excerpt: a.responseExcerpt,
            latency_ms: a.latencyMs,
          })),
        ),
      ],
    );
  }

  async deliveryById(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<DeliveryRecord | null> {
    const [r] = await sql(em, `select ${DELIVERY_COLUMNS} from notification_deliveries where id = $1${opts.lock ? ' for update' : ''}`, [id]);
    return r ? delivery(r) : null;
  }

  async recordAttempt(
    em: EntityManager,
    id: string,
    a: {
      status: DeliveryStatus;
      attempts: number;
      at: Date;
      lastError: string | null;
      responseStatus: number | null;
      responseExcerpt: string | null;
      latencyMs: number | null;
      nextAttemptAt: Date | null;
      target?: string;
    },
  ): Promise<void> {
    await sql(
      em,
      `update notification_deliveries set status = $2, attempts = $3, last_attempt_at = $4, last_error = $5, response_status = $6, response_excerpt = $7,
         latency_ms = $8, next_attempt_at = $9, delivered_at = case when $2 = 'delivered' then $4 else delivered_at end, target = coalesce($10, target)
       where id = $1`,
      [id, a.status, a.attempts, a.at, a.lastError, a.responseStatus, a.responseExcerpt, a.latencyMs, a.nextAttemptAt, a.target ?? null],
    );
  }

  /** Defers a delivery without counting an attempt (its endpoint is backing off, its thread's parent is not posted yet). */
  async defer(em: EntityManager, id: string, until: Date): Promise<void> {
    await sql(em, `update notification_deliveries set status = 'retrying', next_attempt_at = $2 where id = $1`, [id, until]);
  }

  /** Whether a PagerDuty trigger of the incident is still to be delivered (pending or retrying). */
  async setStatus(em: EntityManager, id: string, status: DeliveryStatus): Promise<void> {
    await sql(em, `update notification_deliveries set status = $2, next_attempt_at = null where id = $1`, [id, status]);
  }

  async hasDelivery(em: EntityManager, tenantId: string, incidentId: string, channel: NotificationChannel, status?: DeliveryStatus): Promise<boolean> {
    const rows = await sql(
      em,
      `select 1 from notification_deliveries where tenant_id = $1 and incident_id = $2 and channel = $3 ${status ? 'and status = $4' : ''} limit 1`,
      status ? [tenantId, incidentId, channel, status] : [tenantId, incidentId, channel],
    );
    return rows.length > 0;
  }

  async forIncident(em: EntityManager, incidentId: string): Promise<NotificationDeliveryView[]> {
    const rows = await sql(em, `select ${VIEW_COLUMNS} from notification_deliveries where incident_id = $1 order by created_at, id`, [incidentId]);
    return rows.map(deliveryView);
  }

  async forEndpoint(em: EntityManager, endpointId: string, limit: number): Promise<NotificationDeliveryView[]> {
    const rows = await sql(em, `select ${VIEW_COLUMNS} from notification_deliveries where endpoint_id = $1 order by created_at desc, id limit $2`, [
      endpointId,
      limit,
    ]);
    return rows.map(deliveryView);
  }
}
