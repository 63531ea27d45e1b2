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

  /** One delivery of an event to one subscriber; the dedup key makes a repeated delivery one job. */
  deliver(em: EntityManager, subscriber: SubscriberName, event: DomainEventEnvelope): Promise<void> {
    return this.insert(em, {
      tenantId: event.tenantId,
      topic: deliveryTopic(subscriber),
      workload: SUBSCRIPTIONS[subscriber].workload,
      payload: event,
      runAt: null,
      dedupKey: `${subscriber}:${event.eventId}`,
    });
  }

  private async insert(
    em: EntityManager,
    row: { tenantId: string | null; topic: string; workload: Workload; payload: unknown; runAt: Date | null; dedupKey: string },
  ): Promise<void> {
    await sql(em, `insert into outbox (tenant_id, topic, workload, payload, dedup_key, run_at, available_at) values ($1,$2,$3,$4,$5,$6, now())`, [
      row.tenantId,
      row.topic,
      row.workload,
      JSON.stringify(row.payload),
      row.dedupKey,
      row.runAt,
    ]);
  }
}
