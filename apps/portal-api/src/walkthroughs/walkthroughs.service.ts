import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  WALKTHROUGH_MINUTES,
  type BookWalkthroughInput,
  type IncidentDetail,
  type RescheduleWalkthroughInput,
  type WalkthroughSlots,
  type WalkthroughSlotsQuery,
  type WalkthroughState,
  type WalkthroughView,
  type WorkingHoursInput,
  type WorkingHoursView,
} from '@portal/contracts';
import { TenantContext, type Actor } from '@portal/tenancy';
import { DateTime } from 'luxon';
import type { EntityManager } from 'typeorm';
import { Accounts } from '../auth/accounts.service';
import { Clock } from '../common/clock';
import { Forbidden, ValidationFailed } from '../common/domain-errors';
import { PORTAL_CONFIG, type PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { IncidentsService } from '../incidents/incidents.service';
import { OutboxService } from '../outbox/outbox.service';
import { PirService } from '../pir/pir.service';
import { JobName } from '../queue/jobs';
import { walkthroughInvite } from './walkthrough-invite';
import { DEFAULT_WORKING_HOURS, businessDates, offeredSlots, slotProblem } from './walkthrough-slots';
import { NoCsmAssigned, WalkthroughAlreadyBooked, WalkthroughNeedsPublishedReview, WalkthroughNotFound, WalkthroughSlotTaken } from './walkthroughs.errors';
import { WalkthroughRecord, WalkthroughsRepository, type ActorRef } from './walkthroughs.repository';

const BOOKERS = new Set(['customer_admin', 'csm']);
const SLOT_MS = WALKTHROUGH_MINUTES * 60_000;
const ref = (a: Actor): ActorRef => ({ kind: a.kind, id: a.id, label: a.label });
const pgCode = (e: unknown): string | undefined => {
  const d = typeof e === 'object' && e !== null && 'driverError' in e ? e.driverError : e;
  return typeof d === 'object' && d !== null && 'code' in d ? String(d.code) : undefined;
};

/** One invite mail, ready for the mailer: who gets it and the iCalendar it carries. */
export interface WalkthroughInviteMail {
  to: string;
  method: 'REQUEST' | 'CANCEL';
  subject: string;
  text: string;
  ics: string;
  messageId: string;
  reference: string;
  uid: string;
}

/**
 * CSM walkthroughs of a published post-incident review (seed 000): a customer admin or the tenant's CSM books a
 * 30-minute slot of the CSM's working hours; each booking, reschedule and cancellation is a `walkthrough.*` event and
 * queues, in the same transaction, one iCalendar invite mail per side (outbox → notifications queue, retried), so an
 * SMTP outage delays the invites and loses none. The database refuses a second booking of the same CSM time.
 */
@Injectable()
export class WalkthroughsService {
  constructor(
    private readonly db: Db,
    private readonly repo: WalkthroughsRepository,
    private readonly incidents: IncidentsService,
    private readonly pirs: PirService,
    private readonly accounts: Accounts,
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  /** The review's active walkthrough (or none), for everyone who reads the review. */
  async state(incidentId: string): Promise<WalkthroughState> {
    const inc = await this.incidents.get(incidentId);
    await this.pirs.get(incidentId); // 404 unless the caller may read the review
    const active = await this.db.tx((em) => this.repo.activeForIncident(em, incidentId));
    return { walkthrough: active ? this.view(active, inc) : null, canBook: BOOKERS.has(TenantContext.actor().role) };
  }

  /** Free slots of the tenant's CSM over the next business days, from their working hours minus every booking they have. */
  async slots(incidentId: string, q: WalkthroughSlotsQuery): Promise<WalkthroughSlots> {
    this.booker();
    const { inc } = await this.publishedReview(incidentId);
    const csm = await this.csmFor(inc);
    const hours = await this.hoursOf(csm.id);
    const days = Math.min(q.days ?? this.config.walkthroughs.bookingDays, this.config.walkthroughs.bookingDays);
    const now = this.clock.now();
    const dates = businessDates(hours, { now, businessDays: days });
    const until = DateTime.fromISO(dates[dates.length - 1], { zone: hours.timeZone })
      .plus({ days: 1 })
      .toJSDate();
    const busy = await this.db.scoped('directory', (em) => this.repo.busyRanges(em, csm.id, now, until));
    const slots = offeredSlots(hours, { now, businessDays: days }, busy);
    return {
      csm: { name: csm.name, email: csm.email, timeZone: hours.timeZone },
      workingHours: hours,
      days,
      slots: slots.map((s) => ({ startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString() })),
    };
  }

  async book(incidentId: string, input: BookWalkthroughInput): Promise<WalkthroughView> {
    const actor = this.booker();
    const { inc, pirId } = await this.publishedReview(incidentId);
    const csm = await this.csmFor(inc);
    const hours = await this.hoursOf(csm.id);
    const startsAt = new Date(input.startsAt);
    const now = this.clock.now();
    this.checkSlot(hours, startsAt, now);
    const attendee = await this.attendeeFor(inc, actor, input.attendeeEmail);
    const id = randomUUID();
    const rec = await this.constrained(startsAt, () =>
      this.db.tx(async (em) => {
        const existing = await this.repo.activeForIncident(em, incidentId);
        if (existing) throw new WalkthroughAlreadyBooked(existing.startsAt.toISOString());
        const w = await this.repo.insert(em, {
          id,
          tenantId: inc.tenant.id,
          incidentId,
          pirId,
          csmStaffId: csm.id,
          csmName: csm.name,
          csmEmail: csm.email,
          csmTimeZone: hours.timeZone,
          attendeeName: attendee.name,
          attendeeEmail: attendee.email,
          startsAt,
          endsAt: new Date(startsAt.getTime() + SLOT_MS),
          uid: `walkthrough-${id}@${this.host()}`,
          bookedBy: ref(actor),
          bookedAt: now,
        });
        await this.events.emit(em, {
          type: 'walkthrough.booked',
          tenantId: w.tenantId,
          subjectId: w.id,
          incidentId,
          payload: {
            reference: inc.reference,
            startsAt: w.startsAt.toISOString(),
            endsAt: w.endsAt.toISOString(),
            csm: w.csmEmail,
            attendee: w.attendeeEmail,
            uid: w.uid,
            sequence: w.sequence,
          },
        });
        await this.queueInvites(em, w);
        return w;
      }),
    );
    return this.view(rec, inc);
  }

  async reschedule(incidentId: string, input: RescheduleWalkthroughInput): Promise<WalkthroughView> {
    const actor = this.booker();
    const inc = await this.incidents.get(incidentId);
    await this.pirs.get(incidentId);
    const current = await this.db.tx((em) => this.repo.activeForIncident(em, incidentId));
    if (!current) throw new WalkthroughNotFound();
    const hours = await this.hoursOf(current.csmStaffId);
    const startsAt = new Date(input.startsAt);
    const now = this.clock.now();
    if (startsAt.getTime() === current.startsAt.getTime()) {
      throw new ValidationFailed([{ field: 'startsAt', message: 'is already the time of the walkthrough' }]);
    }
    this.checkSlot(hours, startsAt, now);
    const rec = await this.constrained(startsAt, () =>
      this.db.tx(async (em) => {
        const locked = await this.repo.activeForIncident(em, incidentId, { lock: true });
        if (!locked) throw new WalkthroughNotFound();
        const w = await this.repo.reschedule(em, locked.id, { startsAt, endsAt: new Date(startsAt.getTime() + SLOT_MS) }, ref(actor), now);
        await this.events.emit(em, {
          type: 'walkthrough.rescheduled',
          tenantId: w.tenantId,
          subjectId: w.id,
          incidentId,
          payload: {
            reference: inc.reference,
            from: locked.startsAt.toISOString(),
            startsAt: w.startsAt.toISOString(),
            endsAt: w.endsAt.toISOString(),
            uid: w.uid,
            sequence: w.sequence,
          },
        });
        await this.queueInvites(em, w);
        return w;
      }),
    );
    return this.view(rec, inc);
  }

  async cancel(incidentId: string): Promise<WalkthroughView> {
    const actor = this.booker();
    const inc = await this.incidents.get(incidentId);
    await this.pirs.get(incidentId);
    const now = this.clock.now();
    const rec = await this.db.tx(async (em) => {
      const locked = await this.repo.activeForIncident(em, incidentId, { lock: true });
      if (!locked) throw new WalkthroughNotFound();
      const w = await this.repo.cancel(em, locked.id, ref(actor), now);
      await this.events.emit(em, {
        type: 'walkthrough.cancelled',
        tenantId: w.tenantId,
        subjectId: w.id,
        incidentId,
        payload: { reference: inc.reference, startsAt: w.startsAt.toISOString(), uid: w.uid, sequence: w.sequence },
      });
      await this.queueInvites(em, w);
      return w;
    });
    return this.view(rec, inc);
  }

  /**
   * The invite job's mail (tenant context entered by the job): the booking as it is now, for one side, or null when
   * this version was superseded (a later reschedule or the cancellation queued its own mail).
   */
  async inviteMail(walkthroughId: string, sequence: number, recipient: 'customer' | 'csm'): Promise<WalkthroughInviteMail | null> {
    const w = await this.db.tx((em) => this.repo.findById(em, walkthroughId));
    if (!w || w.sequence !== sequence) return null;
    const inc = await this.incidents.get(w.incidentId);
    const method = w.status === 'cancelled' ? 'CANCEL' : 'REQUEST';
    const inCsmZone = DateTime.fromJSDate(w.startsAt, { zone: w.csmTimeZone });
    const when = `${inCsmZone.toFormat('cccc d LLLL yyyy, HH:mm')} (${w.csmTimeZone}) · ${DateTime.fromJSDate(w.startsAt, { zone: 'UTC' }).toFormat('HH:mm')} UTC`;
    const title = `PIR walkthrough: ${inc.reference} ${inc.title}`;
    const url = `${this.baseUrl()}/incidents/${inc.id}#walkthrough`;
    const ics = walkthroughInvite({
      method,
      uid: w.uid,
      sequence: w.sequence,
      startsAt: w.startsAt,
      endsAt: w.endsAt,
      stamp: w.updatedAt,
      summary: title,
      description: `A ${WALKTHROUGH_MINUTES}-minute walkthrough of the post-incident review of ${inc.reference} with ${w.csmName}.\n\nReview: ${url}`,
      url,
      organizer: { name: w.csmName, email: w.csmEmail },
      attendees: [
        { name: w.csmName, email: w.csmEmail, chair: true },
        { name: w.attendeeName, email: w.attendeeEmail },
      ],
    });
    const verb = method === 'CANCEL' ? 'Cancelled' : w.sequence === 0 ? 'Invitation' : 'Updated invitation';
    const text =
      method === 'CANCEL'
        ? [`The walkthrough of the post-incident review of ${inc.reference} on ${when} is cancelled.`, '', `Review: ${url}`]
        : [
            `${w.sequence === 0 ? 'A' : 'The rescheduled'} ${WALKTHROUGH_MINUTES}-minute walkthrough of the post-incident review of ${inc.reference}:`,
            '',
            `When: ${when}`,
            `With: ${w.csmName} <${w.csmEmail}> and ${w.attendeeName} <${w.attendeeEmail}>`,
            '',
            `Review: ${url}`,
            '',
            'The attached invite adds (or updates) the event in your calendar.',
          ];
    return {
      to: recipient === 'csm' ? w.csmEmail : w.attendeeEmail,
      method,
      subject: `${verb}: ${title} — ${inCsmZone.toFormat('ccc d LLL HH:mm')} ${w.csmTimeZone}`,
      text: text.join('\n'),
      ics,
      messageId: `<walkthrough-${w.id}-${w.sequence}-${recipient}@${this.host()}>`,
      reference: inc.reference,
      uid: w.uid,
    };
  }

  /** After the mailer accepted an invite: the audit trail records it. */
  async recordInviteSent(walkthroughId: string, mail: WalkthroughInviteMail, sequence: number): Promise<void> {
    await this.db.tx(async (em) => {
      const w = await this.repo.findById(em, walkthroughId);
      if (!w) return;
      await this.events.emit(em, {
        type: 'walkthrough.invite_sent',
        tenantId: w.tenantId,
        subjectId: w.id,
        incidentId: w.incidentId,
        actor: { kind: 'system', id: 'walkthrough-invite', label: 'walkthrough invites' },
        payload: { reference: mail.reference, method: mail.method, uid: mail.uid, sequence, to: mail.to },
      });
    });
  }

  /** The calling CSM's working hours (the default until they set theirs). */
  async myWorkingHours(): Promise<WorkingHoursView> {
    const csm = this.csmCaller();
    const saved = await this.db.scoped('directory', (em) => this.repo.workingHours(em, csm.id));
    if (!saved) return { ...DEFAULT_WORKING_HOURS(this.config.walkthroughs.defaultTimeZone), customised: false, updatedAt: null };
    const { updatedAt, ...hours } = saved;
    return { ...hours, workingDays: [...hours.workingDays].sort((a, b) => a - b), customised: true, updatedAt: updatedAt.toISOString() };
  }

  async setMyWorkingHours(input: WorkingHoursInput): Promise<WorkingHoursView> {
    const csm = this.csmCaller();
    const now = this.clock.now();
    await this.db.scoped('directory', async (em) => {
      await this.repo.saveWorkingHours(em, csm.id, input, now);
      await this.events.emit(em, {
        type: 'walkthrough.working_hours_updated',
        tenantId: null,
        subjectId: csm.id,
        payload: { timeZone: input.timeZone, workingDays: [...input.workingDays].sort((a, b) => a - b), dayStart: input.dayStart, dayEnd: input.dayEnd },
      });
    });
    return this.myWorkingHours();
  }

  // ---- helpers ----

  private booker(): Actor {
    const actor = TenantContext.actor();
    if (!BOOKERS.has(actor.role)) throw new Forbidden('walkthroughs are booked by a customer admin or the tenant’s CSM');
    return actor;
  }

  private csmCaller(): Actor {
    const actor = TenantContext.actor();
    if (actor.role !== 'csm' || actor.kind !== 'staff') throw new Forbidden('working hours belong to a customer success manager');
    return actor;
  }

  private async publishedReview(incidentId: string): Promise<{ inc: IncidentDetail; pirId: string }> {
    const inc = await this.incidents.get(incidentId);
    const pir = await this.pirs.get(incidentId);
    if (pir.status !== 'published') throw new WalkthroughNeedsPublishedReview();
    return { inc, pirId: pir.id };
  }

  /** The calling CSM when a CSM books (they reach the tenant only through an assignment); otherwise the tenant's CSM. */
  private async csmFor(inc: IncidentDetail): Promise<{ id: string; name: string; email: string }> {
    const csms = await this.accounts.tenantCsms(inc.tenant.id);
    const actor = TenantContext.actor();
    const csm = actor.role === 'csm' ? csms.find((c) => c.id === actor.id) : csms[0];
    if (!csm) throw new NoCsmAssigned();
    return csm;
  }

  private async hoursOf(staffId: string): Promise<WorkingHoursInput> {
    const saved = await this.db.scoped('directory', (em) => this.repo.workingHours(em, staffId));
    if (!saved) return DEFAULT_WORKING_HOURS(this.config.walkthroughs.defaultTimeZone);
    const { timeZone, workingDays, dayStart, dayEnd } = saved;
    return { timeZone, workingDays, dayStart, dayEnd };
  }

  private checkSlot(hours: WorkingHoursInput, startsAt: Date, now: Date): void {
    const problem = slotProblem(hours, startsAt, { now, businessDays: this.config.walkthroughs.bookingDays });
    if (problem) throw new ValidationFailed([{ field: 'startsAt', message: problem }]);
  }

  /** The customer side: the named user of the tenant, or the signed-in customer admin. */
  private async attendeeFor(inc: IncidentDetail, actor: Actor, email: string | undefined): Promise<{ name: string; email: string }> {
    if (email) {
      const user = await this.accounts.tenantUser(inc.tenant.id, { email });
      if (!user) throw new ValidationFailed([{ field: 'attendeeEmail', message: `is not a user of ${inc.tenant.displayName}` }]);
      return { name: user.name, email: user.email };
    }
    if (actor.kind === 'user') {
      const user = await this.accounts.tenantUser(inc.tenant.id, { id: actor.id });
      if (user) return { name: user.name, email: user.email };
    }
    throw new ValidationFailed([{ field: 'attendeeEmail', message: 'is required: name the customer user to invite' }]);
  }

  /** Maps the database's refusals of a booking (the exclusion constraint, one active booking per review) to 409s. */
  private async constrained<T>(startsAt: Date, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const code = pgCode(err);
      if (code === '23P01') throw new WalkthroughSlotTaken(startsAt.toISOString());
      if (code === '23505') throw new WalkthroughAlreadyBooked('another time');
      throw err;
    }
  }

  private async queueInvites(em: EntityManager, w: WalkthroughRecord): Promise<void> {
    for (const recipient of ['customer', 'csm'] as const) {
      await this.outbox.enqueueJob(
        em,
        JobName.WalkthroughInvite,
        { tenantId: w.tenantId, walkthroughId: w.id, sequence: w.sequence, recipient },
        { dedupKey: `walkthrough-invite:${w.id}:${w.sequence}:${recipient}` },
      );
    }
  }

  private baseUrl(): string {
    return (this.config.publicUrl ?? `http://${this.config.host}:${this.config.port}`).replace(/\/$/, '');
  }

  private host(): string {
    return new URL(this.baseUrl()).hostname || 'portal';
  }

  private view(w: WalkthroughRecord, inc: IncidentDetail): WalkthroughView {
    return {
      id: w.id,
      incidentId: w.incidentId,
      reference: inc.reference,
      status: w.status,
      startsAt: w.startsAt.toISOString(),
      endsAt: w.endsAt.toISOString(),
      csm: { name: w.csmName, email: w.csmEmail, timeZone: w.csmTimeZone },
      attendee: { name: w.attendeeName, email: w.attendeeEmail },
      uid: w.uid,
      sequence: w.sequence,
      bookedBy: w.bookedBy.label,
      bookedAt: w.bookedAt.toISOString(),
      updatedAt: w.updatedAt.toISOString(),
      cancelledAt: w.cancelledAt ? w.cancelledAt.toISOString() : null,
    };
  }
}
