import fc from 'fast-check';
import { DateTime } from 'luxon';
import { addBusinessDays, computeSla, isBusinessTime, SLA_POLICY, targetDueAt } from '@portal/sla';
import type { BusinessCalendar, IncidentStatus, ResolvedPeriod, Severity, SeverityChange, SlaClock, SlaInput, SlaPause } from '@portal/sla';

const ZONES = ['Europe/Rome', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'] as const;
const MIN = 60_000;
const HOUR = 60 * MIN;
// 2026 holds every DST change the tests name; a margin on both sides.
const FROM = new Date('2025-12-01T00:00:00Z');
const TO = new Date('2027-01-31T00:00:00Z');

const anyInstant = fc.date({ min: FROM, max: TO, noInvalidDate: true });
// DST changes of 2026 (UTC): Rome, New York, Sydney; half the instants fall within 3 days of one.
const DST_CHANGES = [
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-04-04T16:00:00Z',
  '2026-10-03T16:00:00Z',
].map(Date.parse);
const nearDstChange = fc
  .tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -72 * 60, max: 72 * 60 }))
  .map(([change, minutes]) => new Date(change + minutes * 60_000));
const instant = fc.oneof(anyInstant, nearDstChange);

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Office-hours calendars: opening 05:00–11:45, closing 12:00–22:45 (no DST change falls inside them). */
const officeCalendar: fc.Arbitrary<BusinessCalendar> = fc
  .record({
    timezone: fc.constantFrom(...ZONES),
    workingDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    open: fc.integer({ min: 20, max: 47 }).map((q) => q * 15),
    close: fc.integer({ min: 48, max: 91 }).map((q) => q * 15),
    holidays: fc.uniqueArray(
      anyInstant.map((d) => d.toISOString().slice(0, 10)),
      { maxLength: 20 },
    ),
  })
  .map(({ timezone, workingDays, open, close, holidays }) => ({ timezone, workingDays, dayStart: hhmm(open), dayEnd: hhmm(close), holidays }));

// Biased towards 00:00, 23:59 and the 01:00–03:00 band where Rome, New York and Sydney change.
const minuteOfDay = fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(0, 1439, 60, 90, 120, 150, 180));

/** Any calendar at all, including hours that contain the DST change and round-the-clock desks. */
const anyCalendar: fc.Arbitrary<BusinessCalendar> = fc
  .record({
    timezone: fc.constantFrom(...ZONES),
    workingDays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    a: minuteOfDay,
    b: minuteOfDay,
  })
  .filter(({ a, b }) => a !== b)
  .map(({ timezone, workingDays, a, b }) => ({ timezone, workingDays, dayStart: hhmm(Math.min(a, b)), dayEnd: hhmm(Math.max(a, b)), holidays: [] }));

/** Closed pauses inside the incident's life (no open pause: due must not depend on now). */
const closedPause = (declaredAt: Date): fc.Arbitrary<SlaPause> =>
  fc.tuple(fc.integer({ min: -2 * HOUR, max: 72 * HOUR }), fc.integer({ min: 0, max: 48 * HOUR })).map(([offset, length]) => ({
    from: new Date(declaredAt.getTime() + offset),
    to: new Date(declaredAt.getTime() + offset + length),
  }));

const SEVERITY = fc.constantFrom<Severity>('sev1', 'sev2', 'sev3', 'sev4');

const incident: fc.Arbitrary<SlaInput> = fc
  .record({
    mode: fc.constantFrom('A', 'B', 'C' as const),
    severity: SEVERITY,
    plane: fc.constantFrom('data_plane', 'control_plane', 'not_sure', null),
    declaredAt: instant,
    calendar: officeCalendar,
    ackAfter: fc.option(fc.integer({ min: 0, max: 96 * HOUR })),
    resolveAfter: fc.option(fc.integer({ min: 0, max: 240 * HOUR })),
    status: fc.constantFrom<IncidentStatus>('declared', 'acknowledged', 'investigating', 'identified', 'monitoring'),
    updateAfter: fc.option(fc.integer({ min: 0, max: 48 * HOUR })),
    pirAfter: fc.option(fc.integer({ min: 0, max: 400 * HOUR })),
    // Severity changes (offset from the declaration, new severity) and reopened resolutions (gap, length).
    changes: fc.array(fc.tuple(fc.integer({ min: 0, max: 72 * HOUR }), SEVERITY), { maxLength: 3 }),
    periods: fc.array(fc.tuple(fc.integer({ min: 0, max: 24 * HOUR }), fc.integer({ min: 0, max: 24 * HOUR })), { maxLength: 2 }),
  })
  .chain((r) =>
    fc.array(closedPause(r.declaredAt), { maxLength: 4 }).map((pauses): SlaInput => {
      const after = (ms: number | null) => (ms === null ? null : new Date(r.declaredAt.getTime() + ms));
      let severity = r.severity;
      const severityChanges: SeverityChange[] = [...r.changes]
        .sort((a, b) => a[0] - b[0])
        .map(([offset, to]) => {
          const c = { at: new Date(r.declaredAt.getTime() + offset), from: severity, to };
          severity = to;
          return c;
        });
      let end = r.declaredAt.getTime();
      const resolvedPeriods: ResolvedPeriod[] = r.periods.map(([gap, length]) => {
        const p = { from: new Date(end + gap), to: new Date(end + gap + length) };
        end = p.to.getTime();
        return p;
      });
      const resolvedAt = r.resolveAfter === null ? null : new Date(end + r.resolveAfter);
      return {
        mode: r.mode,
        severity,
        plane: r.plane,
        status: resolvedAt ? 'resolved' : r.status,
        declaredAt: r.declaredAt,
        acknowledgedAt: after(r.ackAfter),
        resolvedAt,
        pauses,
        lastStatusUpdateAt: after(r.updateAfter),
        pirDeliveredAt: resolvedAt && r.pirAfter !== null ? new Date(resolvedAt.getTime() + r.pirAfter) : null,
        calendar: r.calendar,
        severityChanges,
        resolvedPeriods,
      };
    }),
  );

/** The latest instant the input knows of: evaluated at or after it, a clock shows its true state. */
function lastKnown(i: SlaInput): number {
  const all = [
    i.declaredAt,
    i.acknowledgedAt,
    i.resolvedAt,
    i.lastStatusUpdateAt,
    i.pirDeliveredAt,
    ...i.pauses.flatMap((p) => [p.from, p.to]),
    ...(i.severityChanges ?? []).map((c) => c.at),
    ...(i.resolvedPeriods ?? []).flatMap((p) => [p.from, p.to]),
  ];
  return Math.max(...all.filter((d): d is Date => d !== null).map((d) => d.getTime()));
}

/** The same incident with one more severity change at `at`. */
const withChange = (i: SlaInput, at: Date, to: Severity): SlaInput => ({
  ...i,
  severity: to,
  severityChanges: [...(i.severityChanges ?? []), { at, from: i.severity, to }],
});

const COMMITTED = ['initialResponse', 'restoration'] as const;

const clocksOf = (input: SlaInput, now: Date): SlaClock[] => Object.values(computeSla(input, now).clocks);

describe('SLA properties', () => {
  it('every due instant is at or after the declaration', () => {
    fc.assert(
      fc.property(incident, instant, (input, now) => {
        for (const c of clocksOf(input, now)) {
          if (c.dueAt !== null) expect(Date.parse(c.dueAt)).toBeGreaterThanOrEqual(input.declaredAt.getTime());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('due instants do not depend on now (without an open pause)', () => {
    fc.assert(
      fc.property(incident, instant, instant, (input, now1, now2) => {
        const a = clocksOf(input, now1).map((c) => c.dueAt);
        const b = clocksOf(input, now2).map((c) => c.dueAt);
        expect(b).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('adding a pause never makes restoration due earlier', () => {
    const withExtra = incident.chain((input) => fc.tuple(fc.constant(input), closedPause(input.declaredAt), fc.boolean()));
    fc.assert(
      fc.property(withExtra, instant, ([input, extra, open], now) => {
        const before = computeSla(input, now).clocks.restoration.dueAt;
        const added: SlaPause = open ? { from: extra.from, to: null } : extra;
        const clock = computeSla({ ...input, pauses: [...input.pauses, added] }, now).clocks.restoration;
        const after = clock.dueAt;
        if (before === null) expect(after).toBeNull();
        // The pause can leave the clock on time at a later severity change, whose severity has no timed target.
        else if (after === null) expect(['best_effort', 'none']).toContain(clock.target.kind);
        else expect(Date.parse(after)).toBeGreaterThanOrEqual(Date.parse(before));
      }),
      { numRuns: 300 },
    );
  });

  it('a wall-clock due is start + minutes in real time, hence monotone in minutes, in any zone', () => {
    fc.assert(
      fc.property(instant, anyCalendar, fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (start, cal, m1, m2) => {
        const due = (minutes: number) => targetDueAt({ kind: 'wall_clock', minutes, label: '' }, start, cal)!.getTime();
        expect(due(m1)).toBe(start.getTime() + m1 * MIN);
        if (m1 <= m2) expect(due(m1)).toBeLessThanOrEqual(due(m2));
      }),
    );
  });

  it('a business-day due is monotone in days, for any calendar (DST-crossing hours included)', () => {
    fc.assert(
      fc.property(instant, anyCalendar, fc.double({ min: 0, max: 6, noNaN: true }), fc.double({ min: 0, max: 6, noNaN: true }), (start, cal, x, y) => {
        const [d1, d2] = x <= y ? [x, y] : [y, x];
        const r1 = addBusinessDays(start, d1, cal).getTime();
        const r2 = addBusinessDays(start, d2, cal).getTime();
        expect(r1).toBeLessThanOrEqual(r2);
        expect(r1).toBeGreaterThanOrEqual(start.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('addBusinessDays lands inside business time or exactly at a dayEnd', () => {
    fc.assert(
      fc.property(instant, officeCalendar, fc.integer({ min: 0, max: 8 }), fc.double({ min: 0, max: 1, noNaN: true }), (start, cal, whole, part) => {
        const due = addBusinessDays(start, whole + part, cal);
        const local = DateTime.fromJSDate(due, { zone: cal.timezone });
        const atDayEnd = local.toFormat('HH:mm:ss.SSS') === `${cal.dayEnd}:00.000` && isBusinessTime(new Date(due.getTime() - 1), cal);
        expect(isBusinessTime(due, cal) || atDayEnd).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with counting working quarter-hours one by one', () => {
    // Independent oracle: walk 15-minute steps of real time and count those that start on a working
    // day between dayStart and dayEnd; with office hours, real and wall-clock time agree.
    const quarterAligned = instant.map((d) => new Date(Math.floor(d.getTime() / (15 * MIN)) * 15 * MIN));
    fc.assert(
      fc.property(quarterAligned, officeCalendar, fc.integer({ min: 1, max: 3 }), (start, cal, days) => {
        const due = addBusinessDays(start, days, cal).getTime();
        const [oh, om] = cal.dayStart.split(':').map(Number);
        const [ch, cm] = cal.dayEnd.split(':').map(Number);
        const holidays = new Set(cal.holidays);
        let worked = 0;
        for (let at = start.getTime(); at < due; at += 15 * MIN) {
          const l = DateTime.fromMillis(at, { zone: cal.timezone });
          const m = l.hour * 60 + l.minute;
          if (cal.workingDays.includes(l.weekday) && !holidays.has(l.toFormat('yyyy-MM-dd')) && m >= oh * 60 + om && m < ch * 60 + cm) worked += 15;
        }
        expect(worked).toBe(days * (ch * 60 + cm - (oh * 60 + om)));
        // And the last quarter before due was a working one (due is not padded with closed time).
        const last = DateTime.fromMillis(due - 15 * MIN, { zone: cal.timezone });
        expect(isBusinessTime(last.toJSDate(), cal)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('a severity change leaves a clock that stopped before it exactly as it was', () => {
    fc.assert(
      fc.property(incident, fc.integer({ min: 0, max: 48 * HOUR }), SEVERITY, fc.integer({ min: 0, max: 96 * HOUR }), (input, gap, to, later) => {
        const at = new Date(lastKnown(input) + gap);
        const now = new Date(at.getTime() + later);
        const before = computeSla(input, now).clocks;
        const after = computeSla(withChange(input, at, to), now).clocks;
        for (const k of COMMITTED) {
          const stoppedAt = before[k].stoppedAt;
          if (stoppedAt !== null && Date.parse(stoppedAt) <= at.getTime()) expect(after[k]).toEqual(before[k]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a severity change never takes back a breach: a clock past due at the change stays breached afterwards', () => {
    fc.assert(
      fc.property(incident, fc.integer({ min: 0, max: 48 * HOUR }), SEVERITY, fc.integer({ min: 0, max: 96 * HOUR }), (input, gap, to, later) => {
        const at = new Date(lastKnown(input) + gap);
        const atChange = computeSla(input, at).clocks;
        const after = computeSla(withChange(input, at, to), new Date(at.getTime() + later)).clocks;
        for (const k of COMMITTED) {
          if (atChange[k].state === 'breached') {
            expect(after[k].state).toBe('breached');
            expect(after[k].dueAt).toBe(atChange[k].dueAt);
            expect(after[k].severity).toBe(atChange[k].severity);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a clock running on time at a change that changes its target starts again at the change, with the new target', () => {
    fc.assert(
      fc.property(incident, fc.integer({ min: 0, max: 48 * HOUR }), SEVERITY, fc.integer({ min: 0, max: 96 * HOUR }), (input, gap, to, later) => {
        const at = new Date(lastKnown(input) + gap);
        const atChange = computeSla(input, at).clocks;
        const after = computeSla(withChange(input, at, to), new Date(at.getTime() + later)).clocks;
        const policy = (s: Severity) => SLA_POLICY[s][input.mode];
        for (const [k, key] of [
          ['initialResponse', 'initialResponse'],
          ['restoration', 'restoration'],
        ] as const) {
          const oldTarget = atChange[k].state === 'not_applicable' ? policy(input.severity)[key] : atChange[k].target;
          const newTarget = policy(to)[key];
          const active = input.status !== 'resolved' && input.status !== 'closed';
          const onTime = atChange[k].state === 'running' || atChange[k].state === 'paused' || (atChange[k].state === 'not_applicable' && active);
          if (!onTime || JSON.stringify(oldTarget) === JSON.stringify(newTarget) || newTarget.kind === 'none') continue;
          expect(after[k].severity).toBe(to);
          expect(after[k].startedAt).toBe(at.toISOString());
          // No pause after the change in these incidents: due is the new target from the change.
          expect(after[k].dueAt).toBe(targetDueAt(newTarget, at, input.calendar)?.toISOString() ?? null);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a reopen keeps the restoration time left at the resolution (or the overdue time of a breach)', () => {
    fc.assert(
      fc.property(incident, fc.integer({ min: 0, max: 96 * HOUR }), (input, gap) => {
        const resolvedAt = input.resolvedAt;
        if (resolvedAt === null) return;
        // Everything else happened before the resolution: the clock at the resolution is its true state then.
        fc.pre((input.severityChanges ?? []).every((c) => c.at <= resolvedAt));
        const resolved = { ...input, pauses: input.pauses.filter((p) => p.to !== null && p.to <= resolvedAt) };
        const atResolution = computeSla(resolved, resolvedAt).clocks.restoration;
        fc.pre(atResolution.dueAt !== null);
        const reopenedAt = new Date(resolvedAt.getTime() + gap);
        const reopened: SlaInput = {
          ...resolved,
          status: 'investigating',
          resolvedAt: null,
          pirDeliveredAt: null,
          resolvedPeriods: [...(resolved.resolvedPeriods ?? []), { from: resolvedAt, to: reopenedAt }],
        };
        const after = computeSla(reopened, reopenedAt).clocks.restoration;
        if (atResolution.state === 'met') {
          expect(after.state).toBe('running');
          expect(after.remainingMs).toBe(atResolution.remainingMs);
        } else {
          expect(after.state).toBe('breached');
          expect(after.overdueMs).toBe(atResolution.overdueMs);
        }
      }),
      { numRuns: 300 },
    );
  });
});
