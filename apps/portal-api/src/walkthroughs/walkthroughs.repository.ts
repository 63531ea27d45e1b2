import { Injectable } from '@nestjs/common';
import type { WalkthroughStatus, WorkingHoursInput } from '@portal/contracts';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';

export interface ActorRef {
  kind: string;
  id: string;
  label: string;
}

export interface WalkthroughRecord {
  id: string;
  tenantId: string;
  incidentId: string;
  pirId: string;
  csmStaffId: string;
  csmName: string;
  csmEmail: string;
  csmTimeZone: string;
  attendeeName: string;
  attendeeEmail: string;
  startsAt: Date;
  endsAt: Date;
  status: WalkthroughStatus;
  uid: string;
  sequence: number;
  bookedBy: ActorRef;
  bookedAt: Date;
  updatedBy: ActorRef;
  updatedAt: Date;
  cancelledAt: Date | null;
}

const COLUMNS = `id, tenant_id, incident_id, pir_id, csm_staff_id, csm_name, csm_email, csm_time_zone, attendee_name, attendee_email,
  starts_at, ends_at, status, uid, sequence, booked_by, booked_at, updated_by, updated_at, cancelled_at`;

const toRecord = (r: Record<string, any>): WalkthroughRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  incidentId: r.incident_id,
  pirId: r.pir_id,
  csmStaffId: r.csm_staff_id,
  csmName: r.csm_name,
  csmEmail: r.csm_email,
  csmTimeZone: r.csm_time_zone,
  attendeeName: r.attendee_name,
  attendeeEmail: r.attendee_email,
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  status: r.status,
  uid: r.uid,
  sequence: r.sequence,
  bookedBy: r.booked_by,
  bookedAt: new Date(r.booked_at),
  updatedBy: r.updated_by,
  updatedAt: new Date(r.updated_at),
  cancelledAt: r.cancelled_at ? new Date(r.cancelled_at) : null,
});

export type NewWalkthrough = Omit<WalkthroughRecord, 'id' | 'status' | 'sequence' | 'updatedBy' | 'updatedAt' | 'cancelledAt' | 'uid'> & {
  id: string;
  uid: string;
};

/** Every walkthrough and working-hours query. Bookings sit behind the tenant wall (RLS); working hours in the directory scope. */
@Injectable()
export class WalkthroughsRepository {
  /** The incident's active booking (at most one: a partial unique index). */
  async activeForIncident(em: EntityManager, incidentId: string, opts: { lock?: boolean } = {}): Promise<WalkthroughRecord | null> {
    const rows = await sql(em, `select ${COLUMNS} from walkthroughs where incident_id = $1 and status = 'booked' ${opts.lock ? 'for update' : ''}`, [
      incidentId,
    ]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findById(em: EntityManager, id: string): Promise<WalkthroughRecord | null> {
    const rows = await sql(em, `select ${COLUMNS} from walkthroughs where id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Inserts an active booking. The exclusion constraint `walkthroughs_csm_free` refuses a CSM time range that
   * overlaps another active booking (23P01) and `walkthroughs_one_per_incident` a second active one (23505).
   */
  async insert(em: EntityManager, w: NewWalkthrough): Promise<WalkthroughRecord> {
    const rows = await sql(
      em,
      `insert into walkthroughs (id, tenant_id, incident_id, pir_id, csm_staff_id, csm_name, csm_email, csm_time_zone, attendee_name, attendee_email,
                                 starts_at, ends_at, status, uid, sequence, booked_by, booked_at, updated_by, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'booked', $13, 0, $14, $15, $14, $15)
       returning ${COLUMNS}`,
      [
        w.id,
        w.tenantId,
        w.incidentId,
        w.pirId,
        w.csmStaffId,
        w.csmName,
        w.csmEmail,
        w.csmTimeZone,
        w.attendeeName,
        w.attendeeEmail,
        w.startsAt,
        w.endsAt,
        w.uid,
        JSON.stringify(w.bookedBy),
        w.bookedAt,
      ],
    );
    return toRecord(rows[0]);
  }

  /** Moves an active booking (the same constraint guards the new range) and bumps its iCalendar SEQUENCE. */
  async reschedule(em: EntityManager, id: string, to: { startsAt: Date; endsAt: Date }, by: ActorRef, at: Date): Promise<WalkthroughRecord> {
    const rows = await sql(
      em,
      `update walkthroughs set starts_at = $2, ends_at = $3, sequence = sequence + 1, updated_by = $4, updated_at = $5
       where id = $1 and status = 'booked' returning ${COLUMNS}`,
      [id, to.startsAt, to.endsAt, JSON.stringify(by), at],
    );
    return toRecord(rows[0]);
  }

  async cancel(em: EntityManager, id: string, by: ActorRef, at: Date): Promise<WalkthroughRecord> {
    const rows = await sql(
      em,
      `update walkthroughs set status = 'cancelled', cancelled_at = $3, sequence = sequence + 1, updated_by = $2, updated_at = $3
       where id = $1 and status = 'booked' returning ${COLUMNS}`,
      [id, JSON.stringify(by), at],
    );
    return toRecord(rows[0]);
  }

  /**
   * The CSM's booked ranges overlapping [from, to), whichever tenant booked them. Runs in the directory scope (the
   * `walkthroughs_busy` policy) and selects the ranges only: no other tenant's details leave this query.
   */
  async busyRanges(em: EntityManager, csmStaffId: string, from: Date, to: Date): Promise<{ startsAt: Date; endsAt: Date }[]> {
    const rows = await sql(
      em,
      `select starts_at, ends_at from walkthroughs where csm_staff_id = $1 and status = 'booked' and starts_at < $3 and ends_at > $2 order by starts_at`,
      [csmStaffId, from, to],
    );
    return rows.map((r) => ({ startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at) }));
  }

  async workingHours(em: EntityManager, staffId: string): Promise<(WorkingHoursInput & { updatedAt: Date }) | null> {
    const rows = await sql(em, `select time_zone, working_days, day_start, day_end, updated_at from csm_working_hours where staff_id = $1`, [staffId]);
    const r = rows[0];
    return r
      ? {
          timeZone: r.time_zone,
          workingDays: (r.working_days as number[]).map(Number),
          dayStart: r.day_start,
          dayEnd: r.day_end,
          updatedAt: new Date(r.updated_at),
        }
      : null;
  }

  async saveWorkingHours(em: EntityManager, staffId: string, h: WorkingHoursInput, at: Date): Promise<void> {
    await sql(
      em,
      `insert into csm_working_hours (staff_id, time_zone, working_days, day_start, day_end, updated_at) values ($1, $2, $3, $4, $5, $6)
       on conflict (staff_id) do update set time_zone = excluded.time_zone, working_days = excluded.working_days, day_start = excluded.day_start,
         day_end = excluded.day_end, updated_at = excluded.updated_at`,
      [staffId, h.timeZone, [...h.workingDays].sort((a, b) => a - b), h.dayStart, h.dayEnd, at],
    );
  }
}
