import { DateTime, IANAZone } from 'luxon';
import { InvalidBusinessCalendar, InvalidSlaInput } from './sla.errors';
import type { BusinessCalendar } from './sla.types';

/**
 * Business-day arithmetic on a tenant calendar (seed 000: "Sev 3 — initial response 1 business day",
 * "within 5 business days of resolution"). All local-time reasoning goes through luxon, never through
 * hand-rolled UTC offsets, so DST changes and the tenant's zone are handled by the tz database.
 */

export const DEFAULT_CALENDAR = (timezone: string): BusinessCalendar => ({
  timezone,
  workingDays: [1, 2, 3, 4, 5],
  dayStart: '09:00',
  dayEnd: '17:00',
  holidays: [],
});

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

function parseHhMm(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = HH_MM.exec(value);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * MS_PER_MINUTE : null;
}

export function validateCalendar(cal: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (typeof cal.timezone !== 'string' || !IANAZone.isValidZone(cal.timezone)) {
    problems.push(`timezone "${String(cal.timezone)}" is not an IANA time zone such as Europe/Rome`);
  }
  if (!Array.isArray(cal.workingDays) || cal.workingDays.length === 0) {
    problems.push('workingDays must list at least one ISO weekday (1 = Monday .. 7 = Sunday)');
  } else {
    for (const d of cal.workingDays) {
      if (!Number.isInteger(d) || d < 1 || d > 7) problems.push(`workingDays: ${String(d)} is not an ISO weekday (1 = Monday .. 7 = Sunday)`);
    }
    if (new Set(cal.workingDays).size !== cal.workingDays.length) problems.push('workingDays lists a weekday twice');
  }
  const open = parseHhMm(cal.dayStart);
  const close = parseHhMm(cal.dayEnd);
  if (open === null) problems.push(`dayStart "${String(cal.dayStart)}" is not a time HH:mm (00:00 to 23:59)`);
  if (close === null) problems.push(`dayEnd "${String(cal.dayEnd)}" is not a time HH:mm (00:00 to 23:59)`);
  if (open !== null && close !== null && close <= open) problems.push(`dayEnd ${cal.dayEnd} must be after dayStart ${cal.dayStart}`);
  if (!Array.isArray(cal.holidays)) {
    problems.push('holidays must be a list of YYYY-MM-DD dates');
  } else {
    for (const h of cal.holidays) {
      if (typeof h !== 'string' || !ISO_DATE.test(h) || !DateTime.fromISO(h).isValid) problems.push(`holiday "${String(h)}" is not a date YYYY-MM-DD`);
    }
  }
  return problems;
}

interface CompiledCalendar {
  zone: string;
  workingDays: ReadonlySet<number>;
  openMs: number;
  closeMs: number;
  holidays: ReadonlySet<string>;
  /** Upper bound of days to look ahead for the next business day; more means the calendar has none. */
  lookAheadDays: number;
}

function compile(cal: BusinessCalendar): CompiledCalendar {
  const problems = validateCalendar(cal);
  if (problems.length > 0) throw new InvalidBusinessCalendar(problems);
  return {
    zone: cal.timezone,
    workingDays: new Set(cal.workingDays),
    openMs: parseHhMm(cal.dayStart)!,
    closeMs: parseHhMm(cal.dayEnd)!,
    holidays: new Set(cal.holidays),
    lookAheadDays: 7 * (cal.holidays.length + 2),
  };
}

function assertValidDate(d: Date, name: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new InvalidSlaInput(`${name} is not a valid date`);
}

/** Local wall-clock time of day, in ms since local midnight. */
function msOfDay(t: DateTime): number {
  return ((t.hour * 60 + t.minute) * 60 + t.second) * 1000 + t.millisecond;
}

/** A day is carried as local noon: noon exists on every DST-change day, and plus({ days }) keeps it. */
function noonOf(t: DateTime): DateTime {
  return t.set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
}

function isBusinessDay(c: CompiledCalendar, day: DateTime): boolean {
  return c.workingDays.has(day.weekday) && !c.holidays.has(day.toFormat('yyyy-MM-dd'));
}

function nextBusinessDay(c: CompiledCalendar, day: DateTime): DateTime {
  for (let i = 1; i <= c.lookAheadDays; i++) {
    const next = day.plus({ days: i });
    if (isBusinessDay(c, next)) return next;
  }
  throw new InvalidBusinessCalendar([`no business day within ${c.lookAheadDays} days after ${day.toFormat('yyyy-MM-dd')}`]);
}

/**
 * The instant of a local wall-clock time on a given day. A time that does not exist (skipped by a
 * spring-forward change) maps to the change itself, the first real instant at or after it, so later
 * wall times never map to earlier instants. A repeated time (fall-back) maps where luxon puts it.
 */
function wallTimeToInstant(c: CompiledCalendar, day: DateTime, ms: number): number {
  const t = DateTime.fromObject(
    {
      year: day.year,
      month: day.month,
      day: day.day,
      hour: Math.floor(ms / MS_PER_HOUR),
      minute: Math.floor((ms % MS_PER_HOUR) / MS_PER_MINUTE),
      second: Math.floor((ms % MS_PER_MINUTE) / 1000),
      millisecond: ms % 1000,
    },
    { zone: c.zone },
  );
  if (t.day === day.day && msOfDay(t) === ms) return t.toMillis();
  // In a gap luxon moved forward by the gap length; the same wall time read with the post-change
  // offset lies before the change, so the change is the first instant in (lo, hi] with that offset.
  const zone = IANAZone.create(c.zone);
  const post = zone.offset(t.toMillis());
  const shift = t.toMillis() + t.offset * MS_PER_MINUTE - (Date.UTC(day.year, day.month - 1, day.day) + ms);
  let lo = t.toMillis() - shift;
  let hi = t.toMillis();
  if (zone.offset(lo) === post) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === post) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function isBusinessTime(at: Date, cal: BusinessCalendar): boolean {
  assertValidDate(at, 'at');
  const c = compile(cal);
  const local = DateTime.fromJSDate(at, { zone: c.zone });
  const ms = msOfDay(local);
  return isBusinessDay(c, local) && ms >= c.openMs && ms < c.closeMs;
}

/**
 * Whole business days from `from` until `to` (rounded up): the smallest n with addBusinessDays(from, n) ≥ to; 0 when
 * `to` is not after `from`. "PIR due in 2 business days" means less than two working days of time remain.
 */
export function businessDaysUntil(from: Date, to: Date, cal: BusinessCalendar): number {
  assertValidDate(from, 'from');
  assertValidDate(to, 'to');
  if (to.getTime() <= from.getTime()) return 0;
  let n = 1;
  // Bounded: a PIR is due a few business days out; a year of business days is the ceiling.
  while (n < 366 && addBusinessDays(from, n, cal).getTime() < to.getTime()) n++;
  return n;
}

/**
 * Adds `days` business days of working time: days × (dayEnd − dayStart), counted from `start`, or
 * from the next opening when `start` is outside working hours (exactly dayEnd is outside). The
 * result is inside business time or exactly at a dayEnd. Working time is measured in local
 * wall-clock time, so a DST-change day is still one full business day. `days` may be fractional
 * (0.5 = half a working day); 0 returns the instant counting would begin.
 */
export function addBusinessDays(start: Date, days: number, cal: BusinessCalendar): Date {
  assertValidDate(start, 'start');
  if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
    throw new InvalidSlaInput(`business days must be a finite number >= 0, got ${String(days)}`);
  }
  const c = compile(cal);
  let need = Math.round(days * (c.closeMs - c.openMs));
  const local = DateTime.fromJSDate(start, { zone: c.zone });
  let day = noonOf(local);
  let cursor = msOfDay(local);
  if (!isBusinessDay(c, day) || cursor >= c.closeMs) {
    day = nextBusinessDay(c, day);
    cursor = c.openMs;
  } else if (cursor < c.openMs) {
    cursor = c.openMs;
  }
  while (need > c.closeMs - cursor) {
    need -= c.closeMs - cursor;
    day = nextBusinessDay(c, day);
    cursor = c.openMs;
  }
  // Inside a repeated fall-back hour a wall time can read earlier than start; never answer before start.
  return new Date(Math.max(wallTimeToInstant(c, day, cursor + need), start.getTime()));
}
