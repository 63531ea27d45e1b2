import { IANAZone } from 'luxon';
import {
  addBusinessDays,
  businessDaysUntil,
  compileCalendar,
  DEFAULT_CALENDAR,
  InvalidBusinessCalendar,
  InvalidSlaInput,
  isBusinessTime,
  validateCalendar,
} from '@portal/sla';
import type { BusinessCalendar } from '@portal/sla';

const ROME = DEFAULT_CALENDAR('Europe/Rome');
const NEW_YORK = DEFAULT_CALENDAR('America/New_York');
const every = (cal: BusinessCalendar): BusinessCalendar => ({ ...cal, workingDays: [1, 2, 3, 4, 5, 6, 7] });
const add = (startIso: string, days: number, cal: BusinessCalendar) => addBusinessDays(new Date(startIso), days, cal).toISOString();

// November 2026 in Rome is CET (UTC+1): Mon 23, Tue 24, Wed 25, Thu 26, Fri 27, Sat 28, Sun 29, Mon 30.
describe('addBusinessDays on Mon–Fri 09:00–17:00 Europe/Rome', () => {
  it.each([
    // start (local)              start (UTC)                days  due (local)              due (UTC)
    ['Tue 10:00 → Wed 10:00', '2026-11-24T09:00:00.000Z', 1, '2026-11-25T09:00:00.000Z'],
    ['Fri 16:00 → Mon 16:00 (1h Fri + 7h Mon)', '2026-11-27T15:00:00.000Z', 1, '2026-11-30T15:00:00.000Z'],
    ['Fri 18:30 → Mon 17:00 (counting starts Mon 09:00)', '2026-11-27T17:30:00.000Z', 1, '2026-11-30T16:00:00.000Z'],
    ['Fri 17:00 exactly is outside → Mon 17:00', '2026-11-27T16:00:00.000Z', 1, '2026-11-30T16:00:00.000Z'],
    ['Sat 11:00 → Mon 17:00', '2026-11-28T10:00:00.000Z', 1, '2026-11-30T16:00:00.000Z'],
    ['Mon 08:00 → Mon 17:00', '2026-11-23T07:00:00.000Z', 1, '2026-11-23T16:00:00.000Z'],
    ['Mon 09:00 exactly is inside → Mon 17:00', '2026-11-23T08:00:00.000Z', 1, '2026-11-23T16:00:00.000Z'],
    ['Mon 17:00 exactly is outside → Tue 17:00', '2026-11-23T16:00:00.000Z', 1, '2026-11-24T16:00:00.000Z'],
    ['Mon 16:59 → Tue 16:59 (1 min Mon + 7h59 Tue)', '2026-11-23T15:59:00.000Z', 1, '2026-11-24T15:59:00.000Z'],
    ['Wed 12:00 + 3 → Mon 12:00 (5h + 8h + 8h + 3h)', '2026-11-25T11:00:00.000Z', 3, '2026-11-30T11:00:00.000Z'],
    ['Tue 14:00 + 5 → next Tue 14:00', '2026-11-24T13:00:00.000Z', 5, '2026-12-01T13:00:00.000Z'],
    ['Tue 10:00 + 0.5 → Tue 14:00 (4h)', '2026-11-24T09:00:00.000Z', 0.5, '2026-11-24T13:00:00.000Z'],
    ['Tue 10:00 + 0 → Tue 10:00 (already counting)', '2026-11-24T09:00:00.000Z', 0, '2026-11-24T09:00:00.000Z'],
    ['Sat 11:00 + 0 → Mon 09:00 (where counting begins)', '2026-11-28T10:00:00.000Z', 0, '2026-11-30T08:00:00.000Z'],
    ['Mon 17:00 + 0 → Tue 09:00 (dayEnd is outside)', '2026-11-23T16:00:00.000Z', 0, '2026-11-24T08:00:00.000Z'],
  ])('%s', (_case, start, days, due) => {
    expect(add(start, days, ROME)).toBe(due);
  });

  it.each([
    // Mon 2026-11-30 and Tue 2026-12-01 as holidays.
    ['Fri 16:00 → Tue 16:00 over a Monday holiday', ['2026-11-30'], '2026-11-27T15:00:00.000Z', '2026-12-01T15:00:00.000Z'],
    ['Fri 18:30 → Tue 17:00 over a Monday holiday', ['2026-11-30'], '2026-11-27T17:30:00.000Z', '2026-12-01T16:00:00.000Z'],
    ['Fri 16:00 → Wed 16:00 over Mon+Tue holidays', ['2026-11-30', '2026-12-01'], '2026-11-27T15:00:00.000Z', '2026-12-02T15:00:00.000Z'],
    [
      'a holiday started on counts from the next opening: Mon 10:00 (holiday) → Tue 17:00',
      ['2026-11-30'],
      '2026-11-30T09:00:00.000Z',
      '2026-12-01T16:00:00.000Z',
    ],
  ])('%s', (_case, holidays, start, due) => {
    expect(add(start, 1, { ...ROME, holidays })).toBe(due);
  });

  it('follows the tenant week and hours: Sun–Thu 08:00–16:00 Asia/Dubai (UTC+4, no DST)', () => {
    const dubai: BusinessCalendar = { timezone: 'Asia/Dubai', workingDays: [7, 1, 2, 3, 4], dayStart: '08:00', dayEnd: '16:00', holidays: [] };
    // Thu 2026-11-26 15:00 local (11:00Z): 1h Thu, Fri+Sat off, 7h Sun → Sun 2026-11-29 15:00 local = 11:00Z.
    expect(add('2026-11-26T11:00:00.000Z', 1, dubai)).toBe('2026-11-29T11:00:00.000Z');
  });
});

describe('addBusinessDays across DST changes (local wall-clock 09:00–17:00 stays one business day)', () => {
  it.each([
    // Europe/Rome springs forward Sun 2026-03-29 (CET +1 → CEST +2).
    ['Rome spring: Fri 03-27 10:00 CET → Mon 03-30 10:00 CEST (71h real)', ROME, '2026-03-27T09:00:00.000Z', '2026-03-30T08:00:00.000Z'],
    ['Rome spring: Sat 03-28 12:00 CET → Mon 03-30 17:00 CEST', ROME, '2026-03-28T11:00:00.000Z', '2026-03-30T15:00:00.000Z'],
    ['Rome spring, 7-day week: Sat 16:00 CET → Sun 03-29 16:00 CEST (23h real)', every(ROME), '2026-03-28T15:00:00.000Z', '2026-03-29T14:00:00.000Z'],
    ['Rome spring, 7-day week: Sun 09:00 CEST → Sun 17:00 CEST', every(ROME), '2026-03-29T07:00:00.000Z', '2026-03-29T15:00:00.000Z'],
    // Europe/Rome falls back Sun 2026-10-25 (CEST +2 → CET +1).
    ['Rome autumn: Fri 10-23 10:00 CEST → Mon 10-26 10:00 CET (73h real)', ROME, '2026-10-23T08:00:00.000Z', '2026-10-26T09:00:00.000Z'],
    ['Rome autumn, 7-day week: Sat 10-24 16:00 CEST → Sun 16:00 CET (25h real)', every(ROME), '2026-10-24T14:00:00.000Z', '2026-10-25T15:00:00.000Z'],
    // America/New_York springs forward Sun 2026-03-08 (EST −5 → EDT −4).
    ['New York spring: Fri 03-06 10:00 EST → Mon 03-09 10:00 EDT', NEW_YORK, '2026-03-06T15:00:00.000Z', '2026-03-09T14:00:00.000Z'],
    ['New York spring: Fri 03-06 16:00 EST → Mon 03-09 16:00 EDT', NEW_YORK, '2026-03-06T21:00:00.000Z', '2026-03-09T20:00:00.000Z'],
    ['New York spring, 7-day week: Sat 16:00 EST → Sun 03-08 16:00 EDT', every(NEW_YORK), '2026-03-07T21:00:00.000Z', '2026-03-08T20:00:00.000Z'],
    // America/New_York falls back Sun 2026-11-01 (EDT −4 → EST −5).
    ['New York autumn: Fri 10-30 10:00 EDT → Mon 11-02 10:00 EST', NEW_YORK, '2026-10-30T14:00:00.000Z', '2026-11-02T15:00:00.000Z'],
    ['New York autumn, 7-day week: Sat 10-31 16:00 EDT → Sun 11-01 16:00 EST', every(NEW_YORK), '2026-10-31T20:00:00.000Z', '2026-11-01T21:00:00.000Z'],
  ])('%s', (_case, cal, start, due) => {
    expect(add(start, 1, cal)).toBe(due);
  });

  it('measures working hours that straddle the change in wall-clock time: 01:00–05:00 Rome on 2026-03-29 is 4 wall hours, 3 real', () => {
    const night: BusinessCalendar = { timezone: 'Europe/Rome', workingDays: [7], dayStart: '01:00', dayEnd: '05:00', holidays: [] };
    // Sun 01:00 CET = 00:00Z; 05:00 CEST = 03:00Z.
    expect(add('2026-03-29T00:00:00.000Z', 1, night)).toBe('2026-03-29T03:00:00.000Z');
  });

  it('maps a wall time skipped by spring-forward to the change itself: 3 wall hours from 00:00 is 02:00, which is 03:00 CEST', () => {
    const night: BusinessCalendar = { timezone: 'Europe/Rome', workingDays: [7], dayStart: '00:00', dayEnd: '04:00', holidays: [] };
    // Sun 00:00 CET = 2026-03-28T23:00Z; 0.75 × 4h = 3 wall hours → 03:00 wall; 2.5 wall hours → 02:30 does not exist → 01:00Z (= 03:00 CEST).
    expect(add('2026-03-28T23:00:00.000Z', 0.75, night)).toBe('2026-03-29T01:00:00.000Z');
    expect(add('2026-03-28T23:00:00.000Z', 2.5 / 4, night)).toBe('2026-03-29T01:00:00.000Z');
    // 2 wall hours → 02:00, also skipped → the change at 01:00Z.
    expect(add('2026-03-28T23:00:00.000Z', 0.5, night)).toBe('2026-03-29T01:00:00.000Z');
    // 1.5 wall hours → 01:30 CET = 00:30Z, before the change.
    expect(add('2026-03-28T23:00:00.000Z', 1.5 / 4, night)).toBe('2026-03-29T00:30:00.000Z');
  });

  it.each([
    ['Europe/Rome', '2026-03-28T12:00:00Z'],
    ['Europe/Rome', '2026-10-24T12:00:00Z'],
    ['America/New_York', '2026-03-07T12:00:00Z'],
    ['America/New_York', '2026-10-31T12:00:00Z'],
  ])('a round-the-clock desk (00:00–23:59, every day) in %s never goes backwards across the change from %s', (timezone, start) => {
    const desk: BusinessCalendar = { timezone, workingDays: [1, 2, 3, 4, 5, 6, 7], dayStart: '00:00', dayEnd: '23:59', holidays: [] };
    // One business day is 1439 wall minutes; step one minute at a time over two days.
    let previous = Number.NEGATIVE_INFINITY;
    for (let m = 0; m <= 2 * 1439; m++) {
      const due = addBusinessDays(new Date(start), m / 1439, desk).getTime();
      expect(due).toBeGreaterThanOrEqual(previous);
      previous = due;
    }
  });

  it('refuses a negative or non-finite number of days', () => {
    expect(() => addBusinessDays(new Date('2026-11-24T09:00:00Z'), -1, ROME)).toThrow(InvalidSlaInput);
    expect(() => addBusinessDays(new Date('2026-11-24T09:00:00Z'), Number.NaN, ROME)).toThrow(InvalidSlaInput);
  });

  it('refuses an invalid calendar with the list of its problems', () => {
    expect(() => addBusinessDays(new Date('2026-11-24T09:00:00Z'), 1, { ...ROME, timezone: 'Mars/Olympus' })).toThrow(InvalidBusinessCalendar);
  });
});

describe('isBusinessTime', () => {
  it.each([
    ['Mon 09:00 Rome (opening is inside)', '2026-11-23T08:00:00.000Z', true],
    ['Mon 08:59 Rome', '2026-11-23T07:59:00.000Z', false],
    ['Mon 16:59:59.999 Rome', '2026-11-23T15:59:59.999Z', true],
    ['Mon 17:00 Rome (closing is outside)', '2026-11-23T16:00:00.000Z', false],
    ['Sat 11:00 Rome', '2026-11-28T10:00:00.000Z', false],
    ['Mon 2026-03-30 09:30 CEST (07:30Z) after spring-forward', '2026-03-30T07:30:00.000Z', true],
    ['Mon 2026-03-30 08:30 CEST (06:30Z), which would read 07:30 with the winter offset', '2026-03-30T06:30:00.000Z', false],
  ])('%s → %s', (_case, at, expected) => {
    expect(isBusinessTime(new Date(at), ROME)).toBe(expected);
  });

  it('treats a holiday as closed all day', () => {
    expect(isBusinessTime(new Date('2026-12-08T10:00:00.000Z'), { ...ROME, holidays: ['2026-12-08'] })).toBe(false);
  });
});

describe('validateCalendar', () => {
  it('accepts the default calendar', () => {
    expect(validateCalendar(ROME)).toEqual([]);
  });

  it.each<[string, Partial<BusinessCalendar>, RegExp]>([
    ['an unknown time zone', { timezone: 'Europe/Atlantis' }, /timezone "Europe\/Atlantis"/],
    ['an empty time zone', { timezone: '' }, /timezone/],
    ['dayEnd equal to dayStart', { dayStart: '09:00', dayEnd: '09:00' }, /dayEnd 09:00 must be after dayStart 09:00/],
    ['dayEnd before dayStart', { dayStart: '18:00', dayEnd: '08:00' }, /must be after dayStart/],
    ['a time that is not HH:mm', { dayStart: '9:00' }, /dayStart "9:00"/],
    ['24:00', { dayEnd: '24:00' }, /dayEnd "24:00"/],
    ['a holiday that does not exist', { holidays: ['2026-02-30'] }, /holiday "2026-02-30"/],
    ['a holiday in another format', { holidays: ['30/11/2026'] }, /holiday "30\/11\/2026"/],
    ['no working day', { workingDays: [] }, /at least one ISO weekday/],
    ['weekday 0', { workingDays: [0, 1] }, /0 is not an ISO weekday/],
    ['a weekday twice', { workingDays: [1, 1, 2] }, /twice/],
  ])('reports %s', (_case, patch, problem) => {
    const problems = validateCalendar({ ...ROME, ...patch });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

describe('compileCalendar', () => {
  afterEach(() => jest.restoreAllMocks());

  it('validates a calendar once: an equal calendar read back on another row reuses the compiled one', () => {
    const isValidZone = jest.spyOn(IANAZone, 'isValidZone');
    const chatham = { ...ROME, timezone: 'Pacific/Chatham', holidays: ['2026-12-25'] };
    const first = compileCalendar(JSON.parse(JSON.stringify(chatham)));
    const second = compileCalendar(JSON.parse(JSON.stringify(chatham)));
    expect(second).toBe(first);
    expect(isValidZone.mock.calls.filter(([z]) => z === 'Pacific/Chatham')).toHaveLength(1);
    // The compiled calendar gives the same answers as the plain one.
    const start = new Date('2026-12-24T20:00:00Z');
    expect(addBusinessDays(start, 2, first).toISOString()).toBe(addBusinessDays(start, 2, chatham).toISOString());
  });

  it('keeps calendars that differ only in a holiday or a type apart', () => {
    const a = compileCalendar({ ...ROME, holidays: ['2026-12-08'] });
    expect(compileCalendar({ ...ROME, holidays: ['2026-12-09'] })).not.toBe(a);
    expect(() => compileCalendar({ ...ROME, holidays: ['2026-12-08'], workingDays: ['1', '2'] as unknown as number[] })).toThrow(InvalidBusinessCalendar);
  });

  it('refuses an invalid calendar every time, never caching it', () => {
    const bad = { ...ROME, dayEnd: '08:00' };
    expect(() => compileCalendar(bad)).toThrow(InvalidBusinessCalendar);
    expect(() => compileCalendar(bad)).toThrow(InvalidBusinessCalendar);
    expect(validateCalendar({ ...ROME, timezone: 'Mars/Olympus' })).toHaveLength(1);
    expect(validateCalendar({ ...ROME, timezone: 'Mars/Olympus' })).toHaveLength(1);
  });

  it('answers the same across a DST change whether the zone offsets are cached or not', () => {
    // Friday before the EU fall-back (2026-10-25) and the spring-forward (2026-03-29): cold, then warm.
    for (const at of ['2026-10-23T15:30:00Z', '2026-03-27T15:30:00Z']) {
      const cold = addBusinessDays(new Date(at), 1.25, ROME).toISOString();
      expect(addBusinessDays(new Date(at), 1.25, ROME).toISOString()).toBe(cold);
    }
    expect(addBusinessDays(new Date('2026-10-23T15:30:00Z'), 1.25, ROME).toISOString()).toBe('2026-10-27T10:00:00.000Z');
    expect(addBusinessDays(new Date('2026-03-27T15:30:00Z'), 1.25, ROME).toISOString()).toBe('2026-03-31T08:30:00.000Z');
  });
});

// h2b-pir-publish: "PIR due in N business days" in the incident list.
describe('businessDaysUntil on Mon–Fri 09:00–17:00 Europe/Rome (rounded up)', () => {
  it.each([
    ['Tue 10:00 until Mon 10:00 next week (4 working days)', '2026-11-24T09:00:00.000Z', '2026-11-30T09:00:00.000Z', 4],
    ['Tue 10:00 until Mon 10:30: just over 4 → 5', '2026-11-24T09:00:00.000Z', '2026-11-30T09:30:00.000Z', 5],
    ['Fri 16:00 until Mon 11:00: 3 working hours → 1', '2026-11-27T15:00:00.000Z', '2026-11-30T10:00:00.000Z', 1],
    ['Sat 11:00 until Mon 17:00: one whole day → 1', '2026-11-28T10:00:00.000Z', '2026-11-30T16:00:00.000Z', 1],
    ['due already passed → 0', '2026-11-30T10:00:00.000Z', '2026-11-30T09:00:00.000Z', 0],
  ])('%s', (_name, from, to, days) => {
    expect(businessDaysUntil(new Date(from), new Date(to), ROME)).toBe(days);
  });
});
