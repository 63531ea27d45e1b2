import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An Idempotency-Key replays the declaration it first created only for the same request: the request's
 * fingerprint (SHA-256 of its canonical body) is kept beside the key, and a different body with a used key is
 * refused (422) instead of silently answered with another incident.
 */
export class IdempotencyFingerprint1763900000007 implements MigrationInterface {
  name = 'IdempotencyFingerprint1763900000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table incidents add column idempotency_fingerprint text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table incidents drop column if exists idempotency_fingerprint`);
  }
}
