import { DateTime } from 'luxon';
import { WALKTHROUGH_MINUTES, minutesOf, type WorkingHoursInput } from '@portal/contracts';

/**
 * Walkthrough slots from a CSM's working hours, as pure functions (no Nest, no database): the hours are wall-clock
 * times in the CSM's IANA zone, so a slot is "09:30 in Europe/London" whatever the viewer's zone, and daylight-saving
 * changes move the UTC instants, not the local ones. A wall-clock time that does not exist (the spring-forward
 * gap) is no slot.
 */
export const DEFAULT_WORKING_HOURS = (timeZone: string): WorkingHoursInput => ({ timeZone, workingDays: [1, 2, 3, 4, 5], dayStart: '09:00', dayEnd: '17:00' });

export interface Slot {
  startsAt: Date;
  endsAt: Date;
}

export interface SlotWindow {
  now: Date;
  /** Working days of the CSM to offer, today (in the CSM's zone) included when it is one. */
  businessDays: number;
}

const SLOT_MS = WALKTHROUGH_MINUTES * 60_000;

/** The CSM's next `businessDays` working days (local dates, ISO yyyy-mm-dd), from today in their zone. */
export function businessDates(hours: WorkingHoursInput, w: SlotWindow): string[] {
  const out: string[] = [];
  let day = DateTime.fromJSDate(w.now, { zone: hours.timeZone }).startOf('day');
  for (let n = 0; out.length < w.businessDays && n < 7 * (w.businessDays + 1); n++, day = day.plus({ days: 1 })) {
    if (hours.workingDays.includes(day.weekday)) out.push(day.toISODate()!);
  }
  return out;
}

/** Every slot of the working hours in the window that starts after `now` and overlaps no busy range. */
export function offeredSlots(hours: WorkingHoursInput, w: SlotWindow, busy: Slot[]): Slot[] {
  const slots: Slot[] = [];
  const [from, to] = [minutesOf(hours.dayStart), minutesOf(hours.dayEnd)];
  for (const date of businessDates(hours, w)) {
    const midnight = DateTime.fromISO(date, { zone: hours.timeZone });
    for (let m = from; m + WALKTHROUGH_MINUTES <= to; m += WALKTHROUGH_MINUTES) {
      const local = midnight.set({ hour: Math.floor(m / 60), minute: m % 60 });
      if (local.hour * 60 + local.minute !== m || local.toISODate() !== date) continue; // in a DST gap
      const startsAt = local.toJSDate();
      if (startsAt.getTime() <= w.now.getTime()) continue;
      const endsAt = new Date(startsAt.getTime() + SLOT_MS);
      if (busy.some((b) => b.startsAt < endsAt && startsAt < b.endsAt)) continue;
      slots.push({ startsAt, endsAt });
    }
  }
  return slots;
}

/** Why a requested start is not a slot (a message for field `startsAt`), or null when it is one. */
export function slotProblem(hours: WorkingHoursInput, startsAt: Date, w: SlotWindow): string | null {
  const local = DateTime.fromJSDate(startsAt, { zone: hours.timeZone });
  if (local.second !== 0 || local.millisecond !== 0 || local.minute % WALKTHROUGH_MINUTES !== 0) {
    return `must be on a ${WALKTHROUGH_MINUTES}-minute boundary (on the hour or half past) in the CSM's time zone ${hours.timeZone}`;
  }
  if (startsAt.getTime() <= w.now.getTime()) return 'is in the past';
  const m = local.hour * 60 + local.minute;
  if (!hours.workingDays.includes(local.weekday) || m < minutesOf(hours.dayStart) || m + WALKTHROUGH_MINUTES > minutesOf(hours.dayEnd)) {
    return `is outside the CSM's working hours (${describeHours(hours)})`;
  }
  const dates = businessDates(hours, w);
  if (local.toISODate()! > dates[dates.length - 1]) return `is more than ${w.businessDays} business days ahead`;
  return null;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Mon–Fri 09:00–17:00 Europe/London" (runs of days joined with a dash). */
export function describeHours(h: WorkingHoursInput): string {
  const days = [...h.workingDays].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < days.length;) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j] + 1) j++;
    runs.push(
      j - i >= 2
        ? `${DAY_NAMES[days[i] - 1]}–${DAY_NAMES[days[j] - 1]}`
        : days
            .slice(i, j + 1)
            .map((d) => DAY_NAMES[d - 1])
            .join(', '),
    );
    i = j + 1;
  }
  return `${runs.join(', ')} ${h.dayStart}–${h.dayEnd} ${h.timeZone}`;
}
