import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DomainEventEnvelope } from '@portal/contracts';
import { sql } from '../database/sql';
import { deliveryTopic, SUBSCRIPTIONS, SubscriberName } from '../events/subscriptions';
import { JOB_WORKLOADS, JobName, JobPayload } from '../queue/jobs';
import type { Workload } from '../queue/workloads';

/**
 * The outbox: a job or an event delivery written in the same transaction as the change that needs it,
 * so a change never fails or loses its reactions when Redis is down. The relay moves rows to BullMQ.
 */
@Injectable()
export class OutboxService {
  enqueueJob<N extends JobName>(
    em: EntityManager,
    job: N,
    payload: JobPayload<N> & { tenantId: string | null },
    opts: { runAt?: Date; dedupKey: string },
  ): Promise<void> {
    return this.insert(em, {
      tenantId: payload.tenantId,
      topic: job,
      workload: JOB_WORKLOADS[job],
      payload,
      runAt: opts.runAt ?? null,
      dedupKey: opts.dedupKey,
    });
  }

  /** Several jobs in one statement (a fan-out: one delivery job per endpoint). */
  enqueueJobs<N extends JobName>(
    em: EntityManager,
    job: N,
    jobs: { payload: JobPayload<N> & { tenantId: string | null }; runAt?: Date; dedupKey: string }[],
  ): Promise<void> {
    return this.insert(
      em,
      ...jobs.map((j) => ({
        tenantId: j.payload.tenantId,
        topic: job,
        workload: JOB_WORKLOADS[job],
        payload: j.payload,
        runAt: j.runAt ?? null,
        dedupKey: j.dedupKey,
      })),
    );
  }

  /** One delivery of an event to each of its subscribers; the dedup key makes a repeated delivery one job. */
  deliver(em: EntityManager, subscribers: readonly SubscriberName[], event: DomainEventEnvelope): Promise<void> {
    return this.insert(
      em,
      ...subscribers.map((subscriber) => ({
        tenantId: event.tenantId,
        topic: deliveryTopic(subscriber),
        workload: SUBSCRIPTIONS[subscriber].workload,
        payload: event,
        runAt: null,
        dedupKey: `${subscriber}:${event.eventId}`,
      })),
    );
  }

  /** One multi-row INSERT (one round trip, and one wake-up of the relay on commit). */
  private async insert(
    em: EntityManager,
    ...rows: { tenantId: string | null; topic: string; workload: Workload; payload: unknown; runAt: Date | null; dedupKey: string }[]
  ): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const values = rows.map((row) => {
      const at = params.length;
      params.push(row.tenantId, row.topic, row.workload, JSON.stringify(row.payload), row.dedupKey, row.runAt);
      return `($${at + 1}::uuid,$${at + 2},$${at + 3},$${at + 4}::jsonb,$${at + 5},$${at + 6}::timestamptz, now())`;
    });
    await sql(em, `insert into outbox (tenant_id, topic, workload, payload, dedup_key, run_at, available_at) values ${values.join(',')}`, params);
  }
}
