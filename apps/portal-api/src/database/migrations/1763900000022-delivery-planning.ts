import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Planning an event's notifications asks whether the incident was already emailed or paged; on the
 * (tenant, incident, created_at) index that read every earlier delivery of the incident (a busy Sev1 with many webhook
 * endpoints has thousands), so each event planned slower than the last. This index answers it from one entry.
 */
export class DeliveryPlanning1763900000022 implements MigrationInterface {
  name = 'DeliveryPlanning1763900000022';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`create index notification_deliveries_incident_channel on notification_deliveries (tenant_id, incident_id, channel)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index if exists notification_deliveries_incident_channel`);
  }
}
