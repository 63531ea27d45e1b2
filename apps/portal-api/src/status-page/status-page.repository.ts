import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ComponentState, ServiceName, StatusRegionCode } from '@portal/contracts';
import { sql } from '../database/sql';
import type { SealedSecret } from '../sso/secret-box';

export interface ComponentRow {
  id: string;
  service: ServiceName;
  region: StatusRegionCode;
  regionName: string;
  state: ComponentState;
  stateSince: Date;
}

export interface PostRow {
  id: string;
  kind: 'incident' | 'maintenance';
  title: string;
  status: string;
  impact: ComponentState;
  startsAt: Date;
  endsAt: Date | null;
  resolvedAt: Date | null;
  createdAt: Date;
  linkedIncidentId: string | null;
  linkedTenantId: string | null;
}

export interface UpdateRow {
  id: string;
  postId: string;
  status: string;
  body: string;
  postedAt: Date;
}

export interface SubscriberRow {
  id: string;
  channel: 'email' | 'slack' | 'webhook';
  email: string | null;
  targetSealed: SealedSecret | null;
  targetHash: string;
  secretSealed: SealedSecret | null;
  services: string[];
  regions: string[];
  confirmedAt: Date | null;
  confirmNonce: string | null;
  confirmExpiresAt: Date | null;
  unsubscribedAt: Date | null;
}

const POST_COLUMNS = `id, kind, title, status, impact, starts_at as "startsAt", ends_at as "endsAt", resolved_at as "resolvedAt", created_at as "createdAt",
  linked_incident_id as "linkedIncidentId", linked_tenant_id as "linkedTenantId"`;
const SUBSCRIBER_COLUMNS = `id, channel, email, target_sealed as "targetSealed", target_hash as "targetHash", secret_sealed as "secretSealed", services, regions, confirmed_at as "confirmedAt",
  confirm_nonce as "confirmNonce", confirm_expires_at as "confirmExpiresAt", unsubscribed_at as "unsubscribedAt"`;

/** Every query of the status page; always in the `status` scope (Db.scoped('status')). */
@Injectable()
export class StatusPageRepository {
  components(em: EntityManager): Promise<ComponentRow[]> {
    return sql<ComponentRow>(
      em,
      `select id, service, region, region_name as "regionName", state, state_since as "stateSince" from status_components order by position`,
    );
  }

  async componentByName(em: EntityManager, service: string, region: string): Promise<ComponentRow | null> {
    const [row] = await sql<ComponentRow>(
      em,
      `select id, service, region, region_name as "regionName", state, state_since as "stateSince" from status_components where service = $1 and region = $2 for update`,
      [service, region],
    );
    return row ?? null;
  }

  async setComponentState(em: EntityManager, id: string, state: ComponentState, at: Date): Promise<void> {
    await sql(em, `update status_components set state = $2, state_since = $3 where id = $1`, [id, state, at]);
    await sql(em, `insert into status_component_changes (component_id, state, changed_at) values ($1, $2, $3)`, [id, state, at]);
  }

  changesSince(em: EntityManager, since: Date): Promise<{ componentId: string; state: ComponentState; at: Date }[]> {
    // The last change before the window too: it gives the state the window starts in.
    return sql(
      em,
      `select component_id as "componentId", state, changed_at as at from status_component_changes c
        where changed_at >= $1
           or id = (select max(id) from status_component_changes p where p.component_id = c.component_id and p.changed_at < $1)
        order by changed_at, id`,
      [since],
    );
  }

  async insertPost(em: EntityManager, p: Omit<PostRow, 'id' | 'resolvedAt'> & { createdBy: string; componentIds: string[] }): Promise<string> {
    const [{ id }] = await sql<{ id: string }>(
      em,
      `insert into status_posts (kind, title, status, impact, starts_at, ends_at, created_at, created_by, linked_incident_id, linked_tenant_id)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) returning id`,
      [p.kind, p.title, p.status, p.impact, p.startsAt, p.endsAt, p.createdAt, p.createdBy, p.linkedIncidentId, p.linkedTenantId],
    );
    for (const c of p.componentIds) await sql(em, `insert into status_post_components (post_id, component_id) values ($1, $2)`, [id, c]);
    return id;
  }

  async post(em: EntityManager, id: string, forUpdate = false): Promise<PostRow | null> {
    const [row] = await sql<PostRow>(em, `select ${POST_COLUMNS} from status_posts where id = $1 ${forUpdate ? 'for update' : ''}`, [id]);
    return row ?? null;
  }

  async updatePostStatus(em: EntityManager, id: string, status: string, impact: ComponentState, resolvedAt: Date | null): Promise<void> {
    await sql(em, `update status_posts set status = $2, impact = $3, resolved_at = coalesce(resolved_at, $4) where id = $1`, [id, status, impact, resolvedAt]);
  }

  /** Posts for the page and the feeds: open ones, and those created or resolved since `since`; newest first. */
  posts(em: EntityManager, opts: { since: Date; limit: number }): Promise<PostRow[]> {
    return sql<PostRow>(
      em,
      `select ${POST_COLUMNS} from status_posts
        where resolved_at is null or resolved_at >= $1 or created_at >= $1
        order by created_at desc limit $2`,
      [opts.since, opts.limit],
    );
  }

  postComponents(em: EntityManager, postIds: string[]): Promise<{ postId: string; componentId: string; service: ServiceName; region: StatusRegionCode }[]> {
    if (postIds.length === 0) return Promise.resolve([]);
    return sql(
      em,
      `select pc.post_id as "postId", c.id as "componentId", c.service, c.region from status_post_components pc
        join status_components c on c.id = pc.component_id where pc.post_id = any($1::uuid[]) order by c.position`,
      [postIds],
    );
  }

  async insertUpdate(em: EntityManager, u: Omit<UpdateRow, 'id'> & { postedBy: string }): Promise<string> {
    const [{ id }] = await sql<{ id: string }>(
      em,
      `insert into status_post_updates (post_id, status, body, posted_at, posted_by) values ($1,$2,$3,$4,$5) returning id`,
      [u.postId, u.status, u.body, u.postedAt, u.postedBy],
    );
    return id;
  }

  updates(em: EntityManager, postIds: string[]): Promise<UpdateRow[]> {
    if (postIds.length === 0) return Promise.resolve([]);
    return sql<UpdateRow>(
      em,
      `select id, post_id as "postId", status, body, posted_at as "postedAt" from status_post_updates where post_id = any($1::uuid[]) order by posted_at desc, id`,
      [postIds],
    );
  }

  async update(em: EntityManager, id: string): Promise<UpdateRow | null> {
    const [row] = await sql<UpdateRow>(em, `select id, post_id as "postId", status, body, posted_at as "postedAt" from status_post_updates where id = $1`, [
      id,
    ]);
    return row ?? null;
  }

  // ---- subscribers --------------------------------------------------------------------------------------

  async insertSubscriber(
    em: EntityManager,
    s: {
      channel: SubscriberRow['channel'];
      email: string | null;
      targetSealed: SealedSecret | null;
      targetHash: string;
      secretSealed: SealedSecret | null;
      services: string[];
      regions: string[];
      createdAt: Date;
      confirmedAt: Date | null;
      confirmNonce: string | null;
      confirmExpiresAt: Date | null;
    },
  ): Promise<string | null> {
    const rows = await sql<{ id: string }>(
      em,
      `insert into status_subscribers (channel, email, target_sealed, target_hash, secret_sealed, services, regions, created_at, confirmed_at, confirm_nonce, confirm_expires_at)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
       on conflict (channel, target_hash) where unsubscribed_at is null do nothing returning id`,
      [
        s.channel,
        s.email,
        s.targetSealed ? JSON.stringify(s.targetSealed) : null,
        s.targetHash,
        s.secretSealed ? JSON.stringify(s.secretSealed) : null,
        s.services,
        s.regions,
        s.createdAt,
        s.confirmedAt,
        s.confirmNonce,
        s.confirmExpiresAt,
      ],
    );
    return rows[0]?.id ?? null;
  }

  async activeByTarget(em: EntityManager, channel: string, targetHash: string): Promise<SubscriberRow | null> {
    const [row] = await sql<SubscriberRow>(
      em,
      `select ${SUBSCRIBER_COLUMNS} from status_subscribers where channel = $1 and target_hash = $2 and unsubscribed_at is null for update`,
      [channel, targetHash],
    );
    return row ?? null;
  }

  async resetConfirmation(em: EntityManager, id: string, nonce: string, expiresAt: Date, services: string[], regions: string[]): Promise<void> {
    await sql(em, `update status_subscribers set confirm_nonce = $2, confirm_expires_at = $3, services = $4, regions = $5 where id = $1`, [
      id,
      nonce,
      expiresAt,
      services,
      regions,
    ]);
  }

  async subscriber(em: EntityManager, id: string, forUpdate = false): Promise<SubscriberRow | null> {
    const [row] = await sql<SubscriberRow>(em, `select ${SUBSCRIBER_COLUMNS} from status_subscribers where id = $1 ${forUpdate ? 'for update' : ''}`, [id]);
    return row ?? null;
  }

  async confirm(em: EntityManager, id: string, at: Date): Promise<void> {
    await sql(em, `update status_subscribers set confirmed_at = $2, confirm_nonce = null, confirm_expires_at = null where id = $1`, [id, at]);
  }

  async unsubscribe(em: EntityManager, id: string, at: Date): Promise<void> {
    await sql(em, `update status_subscribers set unsubscribed_at = $2, confirm_nonce = null where id = $1 and unsubscribed_at is null`, [id, at]);
  }

  /** Confirmed, subscribed, and wanting one of the components (empty filters mean everything). */
  audience(em: EntityManager, components: { service: string; region: string }[]): Promise<{ id: string }[]> {
    return sql(
      em,
      `select s.id from status_subscribers s
        where s.confirmed_at is not null and s.unsubscribed_at is null
          and exists (select 1 from jsonb_to_recordset($1::jsonb) as c(service text, region text)
                       where (cardinality(s.services) = 0 or c.service = any(s.services))
                         and (cardinality(s.regions) = 0 or c.region = any(s.regions)))
        order by s.id`,
      [JSON.stringify(components)],
    );
  }

  /** The idempotency record: true when this (update, subscriber) is new. */
  async claimDelivery(em: EntityManager, updateId: string, subscriberId: string, at: Date): Promise<boolean> {
    const rows = await sql(
      em,
      `insert into status_deliveries (update_id, subscriber_id, created_at) values ($1,$2,$3) on conflict do nothing returning update_id`,
      [updateId, subscriberId, at],
    );
    return rows.length === 1;
  }

  async delivery(
    em: EntityManager,
    updateId: string,
    subscriberId: string,
  ): Promise<{ deliveredAt: Date | null; skipped: string | null; attempts: number } | null> {
    const [row] = await sql<{ deliveredAt: Date | null; skipped: string | null; attempts: number }>(
      em,
      `select delivered_at as "deliveredAt", skipped, attempts from status_deliveries where update_id = $1 and subscriber_id = $2 for update`,
      [updateId, subscriberId],
    );
    return row ?? null;
  }

  async recordDelivery(
    em: EntityManager,
    updateId: string,
    subscriberId: string,
    outcome: { deliveredAt?: Date; skipped?: string; error?: string },
  ): Promise<void> {
    await sql(
      em,
      `update status_deliveries set attempts = attempts + 1, delivered_at = coalesce($3, delivered_at), skipped = coalesce($4, skipped), last_error = $5
        where update_id = $1 and subscriber_id = $2`,
      [updateId, subscriberId, outcome.deliveredAt ?? null, outcome.skipped ?? null, outcome.error?.slice(0, 500) ?? null],
    );
  }
}
