import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';
import { JobName, JobPayload } from '../queue/jobs';

/**
 * The outbox: a job intent written in the same transaction as the change that needs it, so a
 * declaration never fails or loses its jobs when Redis is down. The relay moves rows to BullMQ.
 */
@Injectable()
export class OutboxService {
  async enqueue<N extends JobName>(em: EntityManager, job: N, payload: JobPayload<N> & { tenantId: string }, opts: { runAt?: Date; dedupKey: string }): Promise<void> {
    await sql(em,
      `insert into outbox (tenant_id, topic, payload, dedup_key, available_at) values ($1,$2,$3,$4, now())`,
      [payload.tenantId, job, JSON.stringify({ ...payload, runAt: opts.runAt?.toISOString() ?? null }), opts.dedupKey],
    );
  }
}
