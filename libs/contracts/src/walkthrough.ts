import { z } from 'zod';

/**
 * CSM walkthroughs of a published post-incident review (issue 15, seed 000: "the IT admin and the CSM can request a
 * 30-minute walkthrough"). Slots come from the CSM's working hours in the CSM's own IANA time zone.
 */
export const WALKTHROUGH_MINUTES = 30;
export const WALKTHROUGH_STATUSES = ['booked', 'cancelled'] as const;
export type WalkthroughStatus = (typeof WALKTHROUGH_STATUSES)[number];

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(tz);
  } catch {
    return false;
  }
};
const INSTANT = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset, e.g. 2026-11-25T10:30:00Z' });
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:mm such as 09:00');

/** A CSM's working hours: the days and hours they take walkthroughs, in their own zone. */
export const workingHoursSchema = z
  .strictObject({
    timeZone: z.string().max(64, 'must be at most 64 characters').refine(isTimeZone, 'must be an IANA time zone such as Europe/London'),
    workingDays: z
      .array(z.number().int().min(1, 'ISO weekday 1 (Mon) to 7 (Sun)').max(7, 'ISO weekday 1 (Mon) to 7 (Sun)'))
      .min(1, 'at least one working day')
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'must not repeat a day'),
    dayStart: HHMM,
    dayEnd: HHMM,
  })
  .refine((h) => h.dayEnd > h.dayStart, { path: ['dayEnd'], message: 'must be after dayStart' })
  .refine((h) => minutesOf(h.dayEnd) - minutesOf(h.dayStart) >= WALKTHROUGH_MINUTES, {
    path: ['dayEnd'],
    message: `must leave at least ${WALKTHROUGH_MINUTES} minutes after dayStart`,
  })
  .refine((h) => minutesOf(h.dayStart) % WALKTHROUGH_MINUTES === 0 && minutesOf(h.dayEnd) % WALKTHROUGH_MINUTES === 0, {
    path: ['dayStart'],
    message: 'dayStart and dayEnd must be on the hour or half past',
  });
export type WorkingHoursInput = z.infer<typeof workingHoursSchema>;

export interface WorkingHoursView extends WorkingHoursInput {
  /** False while the CSM has not set theirs: the default (Mon–Fri 09:00–17:00) applies. */
  customised: boolean;
  updatedAt: string | null;
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/** Book: a slot's start; `attendeeEmail` names the customer side (default: the signed-in customer admin). */
export const bookWalkthroughSchema = z.strictObject({
  startsAt: INSTANT,
  attendeeEmail: z.email('must be an email address').max(320).optional(),
});
export type BookWalkthroughInput = z.infer<typeof bookWalkthroughSchema>;

export const rescheduleWalkthroughSchema = z.strictObject({ startsAt: INSTANT });
export type RescheduleWalkthroughInput = z.infer<typeof rescheduleWalkthroughSchema>;

export const walkthroughSlotsQuerySchema = z.strictObject({
  /** Business days of the CSM to offer, from today (at most the deployment's WALKTHROUGH_BOOKING_DAYS). */
  days: z.coerce.number().int().min(1, 'must be at least 1').max(30, 'must be at most 30').optional(),
});
export type WalkthroughSlotsQuery = z.infer<typeof walkthroughSlotsQuerySchema>;

export interface WalkthroughPerson {
  name: string;
  email: string;
}

export interface WalkthroughSlots {
  csm: WalkthroughPerson & { timeZone: string };
  workingHours: WorkingHoursInput;
  days: number;
  /** Free 30-minute slots (UTC instants), earliest first. */
  slots: { startsAt: string; endsAt: string }[];
}

export interface WalkthroughView {
  id: string;
  incidentId: string;
  reference: string;
  status: WalkthroughStatus;
  startsAt: string;
  endsAt: string;
  csm: WalkthroughPerson & { timeZone: string };
  attendee: WalkthroughPerson;
  /** The iCalendar UID: the same event across reschedules and the cancellation. */
  uid: string;
  /** The iCalendar SEQUENCE of the last invite sent (0 at booking, +1 per reschedule or cancellation). */
  sequence: number;
  bookedBy: string;
  bookedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
}

/** The review's walkthrough: the active booking, or null. */
export interface WalkthroughState {
  walkthrough: WalkthroughView | null;
  /** Whether the caller may book, reschedule and cancel (customer admins and the tenant's CSMs). */
  canBook: boolean;
}
