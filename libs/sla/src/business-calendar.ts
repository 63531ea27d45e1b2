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

/**
 * Zone names known to be valid. luxon's `IANAZone.isValidZone` builds a new Intl.DateTimeFormat on every call
 * (~200 µs); a zone that was valid once stays valid for the life of the process. Invalid names are not kept
 * (they come from input, and a set of them would grow with whatever a client sends).
 */
const validZones = new Set<string>();

function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== 'string') return false;
  if (validZones.has(zone)) return true;
  if (!IANAZone.isValidZone(zone)) return false;
  validZones.add(zone);
  return true;
}

function parseHhMm(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = HH_MM.exec(value);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * MS_PER_MINUTE : null;
}

export function validateCalendar(cal: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (!isValidZone(cal.timezone)) {
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

/** A calendar checked once and turned into what the arithmetic reads: build it with `compileCalendar`. */
export interface CompiledCalendar {
  readonly zone: string;
  readonly workingDays: ReadonlySet<number>;
  readonly openMs: number;
  readonly closeMs: number;
  /** Holidays as local day numbers (days since 1970-01-01), so a day is looked up without formatting a date. */
  readonly holidays: ReadonlySet<number>;
  /** Upper bound of days to look ahead for the next business day; more means the calendar has none. */
  readonly lookAheadDays: number;
}

const COMPILED_MAX = 1000;
/** Compiled calendars by content: every incident of a tenant calendar version carries the same content. */
const compiledByContent = new Map<string, CompiledCalendar>();
const compiledCalendars = new WeakSet<object>();

/**
 * Validates a calendar and compiles it, once per distinct content: later calls with an equal calendar (the same
 * tenant calendar version, read back on another row) return the cached result without validating again. Throws
 * InvalidBusinessCalendar for a calendar `validateCalendar` refuses (an invalid calendar is never cached).
 */
export function compileCalendar(cal: BusinessCalendar): CompiledCalendar {
  if (cal === null || typeof cal !== 'object') throw new InvalidBusinessCalendar(['the calendar is not an object']);
  // JSON keeps types apart (1 and "1" are different keys); the fields are read explicitly, so key order does not matter.
  const key = JSON.stringify([cal.timezone, cal.workingDays, cal.dayStart, cal.dayEnd, cal.holidays]);
  let compiled = compiledByContent.get(key);
  if (!compiled) {
    const problems = validateCalendar(cal);
    if (problems.length > 0) throw new InvalidBusinessCalendar(problems);
    compiled = Object.freeze({
      zone: cal.timezone,
      workingDays: new Set(cal.workingDays),
      openMs: parseHhMm(cal.dayStart)!,
      closeMs: parseHhMm(cal.dayEnd)!,
      holidays: new Set(cal.holidays.map((h) => dayNumber(Number(h.slice(0, 4)), Number(h.slice(5, 7)), Number(h.slice(8, 10))))),
      lookAheadDays: 7 * (cal.holidays.length + 2),
    });
    // A bound, not an LRU: the number of distinct calendars in use is the number of tenant calendar versions.
    if (compiledByContent.size >= COMPILED_MAX) compiledByContent.clear();
    compiledCalendars.add(compiled);
    compiledByContent.set(key, compiled);
  }
  return compiled;
}

function isCompiled(cal: BusinessCalendar | CompiledCalendar): cal is CompiledCalendar {
  return compiledCalendars.has(cal);
}

function assertValidDate(d: Date, name: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new InvalidSlaInput(`${name} is not a valid date`);
}

/*
 * Days are carried as local civil day numbers (days since 1970-01-01 in the calendar's wall-clock time), so
 * stepping through days is integer arithmetic; only the start instant and the answer go through the zone.
 * Civil-date conversions: H. Hinnant, "chrono-Compatible Low-Level Date Algorithms" (days_from_civil).
 */
const MS_PER_DAY = 86_400_000;

function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilDate(n: number): { year: number; month: number; day: number } {
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

/** ISO weekday of a day number: 1970-01-01 was a Thursday (4). */
const weekdayOf = (n: number): number => ((((n + 3) % 7) + 7) % 7) + 1;

/*
 * Zone offsets by UTC hour. luxon reads an offset through Intl's formatToParts (a few µs, allocating); the same
 * hours come back on every list request. An hour is cached only when its first and last millisecond have the
 * same offset, so an hour with a change inside it is always asked afresh (no zone changes twice within an hour).
 */
const HOUR_MS = 3_600_000;
const OFFSETS_MAX = 50_000;
const offsetsByZone = new Map<string, Map<number, number>>();
let offsetsCached = 0;

function zoneOffset(zoneName: string, at: number): number {
  const zone = IANAZone.create(zoneName);
  let hours = offsetsByZone.get(zoneName);
  if (!hours) offsetsByZone.set(zoneName, (hours = new Map<number, number>()));
  const hour = Math.floor(at / HOUR_MS);
  const known = hours.get(hour);
  if (known !== undefined) return known;
  const first = zone.offset(hour * HOUR_MS);
  if (first !== zone.offset(hour * HOUR_MS + HOUR_MS - 1)) return zone.offset(at);
  if (offsetsCached >= OFFSETS_MAX) {
    offsetsByZone.clear();
    offsetsByZone.set(zoneName, (hours = new Map<number, number>()));
    offsetsCached = 0;
  }
  hours.set(hour, first);
  offsetsCached++;
  return first;
}

/** The local day number and time of day of an instant: one zone offset look-up. */
function localOf(c: CompiledCalendar, at: number): { day: number; ms: number; offset: number } {
  const offset = zoneOffset(c.zone, at);
  const local = at + offset * MS_PER_MINUTE;
  const day = Math.floor(local / MS_PER_DAY);
  return { day, ms: local - day * MS_PER_DAY, offset };
}

function isBusinessDay(c: CompiledCalendar, day: number): boolean {
  return c.workingDays.has(weekdayOf(day)) && !c.holidays.has(day);
}

function nextBusinessDay(c: CompiledCalendar, day: number): number {
  for (let i = 1; i <= c.lookAheadDays; i++) {
    if (isBusinessDay(c, day + i)) return day + i;
  }
  const d = civilDate(day);
  const iso = `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  throw new InvalidBusinessCalendar([`no business day within ${c.lookAheadDays} days after ${iso}`]);
}

/**
 * The instant of a local wall-clock time on a given day. A time that does not exist (skipped by a
 * spring-forward change) maps to the change itself, the first real instant at or after it, so later
 * wall times never map to earlier instants. A repeated time (fall-back) maps to the occurrence with
 * `offsetHint` (the offset where counting started) when it is one of the two, else to the later one.
 */
function wallTimeToInstant(c: CompiledCalendar, dayNum: number, ms: number, offsetHint: number): number {
  const local = dayNum * MS_PER_DAY + ms;
  // luxon's fixOffset: guess with the hint, correct once with the offset found there.
  let at = local - offsetHint * MS_PER_MINUTE;
  const o2 = zoneOffset(c.zone, at);
  let offset = o2;
  if (o2 !== offsetHint) {
    at -= (o2 - offsetHint) * MS_PER_MINUTE;
    const o3 = zoneOffset(c.zone, at);
    if (o3 !== o2) {
      at = local - Math.min(o2, o3) * MS_PER_MINUTE;
      offset = Math.max(o2, o3);
    } else offset = o3;
  }
  if (at + offset * MS_PER_MINUTE === local) return at;
  // In a gap the guess moved forward by the gap length; the same wall time read with the post-change
  // offset lies before the change, so the change is the first instant in (lo, hi] with that offset.
  const post = zoneOffset(c.zone, at);
  const shift = at + offset * MS_PER_MINUTE - local;
  let lo = at - shift;
  let hi = at;
  if (zoneOffset(c.zone, lo) === post) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffset(c.zone, mid) === post) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function isBusinessTime(at: Date, cal: BusinessCalendar | CompiledCalendar): boolean {
  assertValidDate(at, 'at');
  const c = isCompiled(cal) ? cal : compileCalendar(cal);
  const local = localOf(c, at.getTime());
  return isBusinessDay(c, local.day) && local.ms >= c.openMs && local.ms < c.closeMs;
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
export function addBusinessDays(start: Date, days: number, cal: BusinessCalendar | CompiledCalendar): Date {
  assertValidDate(start, 'start');
  if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
    throw new InvalidSlaInput(`business days must be a finite number >= 0, got ${String(days)}`);
  }
  const c = isCompiled(cal) ? cal : compileCalendar(cal);
  let need = Math.round(days * (c.closeMs - c.openMs));
  const local = localOf(c, start.getTime());
  let day = local.day;
  let cursor = local.ms;
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
  return new Date(Math.max(wallTimeToInstant(c, day, cursor + need, local.offset), start.getTime()));
}
