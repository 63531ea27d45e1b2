import { computeSla, DEFAULT_CALENDAR, InvalidBusinessCalendar, InvalidSlaInput } from '@portal/sla';
import type { BusinessCalendar, ClockState, IncidentPlane, ServiceMode, Severity, SlaInput } from '@portal/sla';

const ROME = DEFAULT_CALENDAR('Europe/Rome');
const NEW_YORK = DEFAULT_CALENDAR('America/New_York');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const t = (iso: string) => new Date(iso);

/** A Sev 1 Mode B incident declared Tue 2026-11-24 10:00 Rome (09:00Z), still being investigated. */
function incident(patch: Partial<SlaInput> = {}): SlaInput {
  return {
    mode: 'B',
    severity: 'sev1',
    plane: null,
    status: 'investigating',
    declaredAt: t('2026-11-24T09:00:00.000Z'),
    acknowledgedAt: null,
    resolvedAt: null,
    pauses: [],
    lastStatusUpdateAt: null,
    pirDeliveredAt: null,
    calendar: ROME,
    ...patch,
  };
}

describe('due instants for every severity x mode', () => {
  // Declared Thu 2026-11-26 15:30 Rome (CET) = 14:30Z. Business days on Mon–Fri 09:00–17:00:
  // 1 bd = 1h30 Thu + 6h30 Fri → Fri 15:30 = 2026-11-27T14:30Z;
  // 3 bd = 1h30 Thu + 8h Fri + 8h Mon + 6h30 Tue → Tue 2026-12-01 15:30 = 14:30Z.
  const declaredAt = t('2026-11-26T14:30:00.000Z');
  it.each<[Severity, ServiceMode, string, string | null, ClockState]>([
    ['sev1', 'A', '2026-11-26T15:00:00.000Z', null, 'running'], // 30 min; best effort
    ['sev1', 'B', '2026-11-26T14:45:00.000Z', '2026-11-26T18:30:00.000Z', 'running'], // 15 min; 4 h
    ['sev1', 'C', '2026-11-26T14:45:00.000Z', '2026-11-26T18:30:00.000Z', 'running'],
    ['sev2', 'A', '2026-11-26T18:30:00.000Z', null, 'running'], // 4 h; best effort
    ['sev2', 'B', '2026-11-26T15:30:00.000Z', '2026-11-27T14:30:00.000Z', 'running'], // 1 h; 24 h
    ['sev2', 'C', '2026-11-26T15:30:00.000Z', '2026-11-27T14:30:00.000Z', 'running'],
    ['sev3', 'A', '2026-11-27T14:30:00.000Z', null, 'not_applicable'], // 1 bd; none
    ['sev3', 'B', '2026-11-27T14:30:00.000Z', null, 'not_applicable'],
    ['sev3', 'C', '2026-11-27T14:30:00.000Z', null, 'not_applicable'],
    ['sev4', 'A', '2026-12-01T14:30:00.000Z', null, 'not_applicable'], // 3 bd; none
    ['sev4', 'B', '2026-11-27T14:30:00.000Z', null, 'not_applicable'], // 1 bd
    ['sev4', 'C', '2026-11-27T14:30:00.000Z', null, 'not_applicable'],
  ])('%s Mode %s: acknowledge by %s, restore by %s (%s)', (severity, mode, responseDue, restorationDue, restorationState) => {
    const sla = computeSla(incident({ severity, mode, declaredAt }), declaredAt);
    expect(sla.clocks.initialResponse).toMatchObject({ state: 'running', startedAt: declaredAt.toISOString(), dueAt: responseDue });
    expect(sla.clocks.initialResponse.remainingMs).toBe(Date.parse(responseDue) - declaredAt.getTime());
    expect(sla.clocks.restoration.dueAt).toBe(restorationDue);
    expect(sla.clocks.restoration.state).toBe(restorationState);
  });

  it.each<[string, Severity, ServiceMode, string, string, BusinessCalendar]>([
    // Fri 2026-11-27 18:30 Rome = 17:30Z: counting starts Mon 09:00 → 1 bd = Mon 17:00 = 16:00Z.
    ['Friday evening sev3', 'sev3', 'A', '2026-11-27T17:30:00.000Z', '2026-11-30T16:00:00.000Z', ROME],
    // 3 bd from Mon 09:00 → Wed 2026-12-02 17:00 = 16:00Z.
    ['Friday evening sev4 Mode A', 'sev4', 'A', '2026-11-27T17:30:00.000Z', '2026-12-02T16:00:00.000Z', ROME],
    // Fri 16:00 (15:00Z) with Mon 2026-11-30 a holiday: 1h Fri + 7h Tue → Tue 16:00 = 15:00Z.
    ['a Monday holiday', 'sev3', 'B', '2026-11-27T15:00:00.000Z', '2026-12-01T15:00:00.000Z', { ...ROME, holidays: ['2026-11-30'] }],
    // Rome springs forward Sun 2026-03-29: Fri 10:00 CET (09:00Z) → Mon 10:00 CEST (08:00Z).
    ['Rome spring DST weekend', 'sev3', 'C', '2026-03-27T09:00:00.000Z', '2026-03-30T08:00:00.000Z', ROME],
    // Rome falls back Sun 2026-10-25: Fri 10:00 CEST (08:00Z) → Mon 10:00 CET (09:00Z).
    ['Rome autumn DST weekend', 'sev4', 'B', '2026-10-23T08:00:00.000Z', '2026-10-26T09:00:00.000Z', ROME],
    // New York springs forward Sun 2026-03-08: Fri 10:00 EST (15:00Z) → Mon 10:00 EDT (14:00Z).
    ['New York spring DST weekend', 'sev3', 'A', '2026-03-06T15:00:00.000Z', '2026-03-09T14:00:00.000Z', NEW_YORK],
    // New York falls back Sun 2026-11-01: Fri 10:00 EDT (14:00Z) → Mon 10:00 EST (15:00Z).
    ['New York autumn DST weekend', 'sev3', 'A', '2026-10-30T14:00:00.000Z', '2026-11-02T15:00:00.000Z', NEW_YORK],
  ])('business-day response clock: %s', (_case, severity, mode, declared, due, calendar) => {
    const sla = computeSla(incident({ severity, mode, declaredAt: t(declared), calendar }), t(declared));
    expect(sla.clocks.initialResponse.dueAt).toBe(due);
  });

  it.each([
    // Sev 1 Mode B: 15 min response, 4 h restoration, declared at 00:30 local the night of the change.
    ['Rome spring: Sun 2026-03-29 00:30 CET', '2026-03-28T23:30:00.000Z', '2026-03-28T23:45:00.000Z', '2026-03-29T03:30:00.000Z', ROME], // due 05:30 CEST: 5 wall hours, 4 real
    ['Rome autumn: Sun 2026-10-25 00:30 CEST', '2026-10-24T22:30:00.000Z', '2026-10-24T22:45:00.000Z', '2026-10-25T02:30:00.000Z', ROME], // due 03:30 CET: 3 wall hours, 4 real
    ['New York spring: Sun 2026-03-08 00:30 EST', '2026-03-08T05:30:00.000Z', '2026-03-08T05:45:00.000Z', '2026-03-08T09:30:00.000Z', NEW_YORK], // due 05:30 EDT
    ['New York autumn: Sun 2026-11-01 00:30 EDT', '2026-11-01T04:30:00.000Z', '2026-11-01T04:45:00.000Z', '2026-11-01T08:30:00.000Z', NEW_YORK], // due 03:30 EST
  ])('wall-clock clocks across DST are real elapsed time: %s', (_case, declared, responseDue, restorationDue, calendar) => {
    const sla = computeSla(incident({ declaredAt: t(declared), calendar }), t(declared));
    expect(sla.clocks.initialResponse.dueAt).toBe(responseDue);
    expect(sla.clocks.restoration.dueAt).toBe(restorationDue);
    expect(Date.parse(restorationDue) - Date.parse(declared)).toBe(4 * HOUR);
  });
});

describe('initial response (sev1 Mode B: 15 min from 09:00Z → due 09:15Z)', () => {
  it.each<[string, Partial<SlaInput>, string, ClockState, string | null, number, number | null]>([
    [
      'acknowledged at 09:10 is met with 5 min to spare',
      { acknowledgedAt: t('2026-11-24T09:10:00Z') },
      '2026-11-24T09:30:00Z',
      'met',
      '2026-11-24T09:10:00.000Z',
      5 * MIN,
      null,
    ],
    ['acknowledged exactly at 09:15 is met', { acknowledgedAt: t('2026-11-24T09:15:00Z') }, '2026-11-24T09:30:00Z', 'met', '2026-11-24T09:15:00.000Z', 0, null],
    [
      'acknowledged at 09:20 is breached by 5 min',
      { acknowledgedAt: t('2026-11-24T09:20:00Z') },
      '2026-11-24T12:00:00Z',
      'breached',
      '2026-11-24T09:20:00.000Z',
      0,
      5 * MIN,
    ],
    ['not acknowledged at 09:05 is running with 10 min left', {}, '2026-11-24T09:05:00Z', 'running', null, 10 * MIN, null],
    ['not acknowledged at exactly 09:15 is still running', {}, '2026-11-24T09:15:00Z', 'running', null, 0, null],
    ['not acknowledged at 09:16 is breached by 1 min and keeps counting', {}, '2026-11-24T09:16:00Z', 'breached', null, 0, MIN],
    [
      'resolved at 09:12 without an acknowledgement stops at the resolution',
      { status: 'resolved', resolvedAt: t('2026-11-24T09:12:00Z') },
      '2026-11-24T10:00:00Z',
      'met',
      '2026-11-24T09:12:00.000Z',
      3 * MIN,
      null,
    ],
  ])('%s', (_case, patch, now, state, stoppedAt, remainingMs, overdueMs) => {
    const clock = computeSla(incident(patch), t(now)).clocks.initialResponse;
    expect(clock).toMatchObject({ kind: 'initial_response', dueAt: '2026-11-24T09:15:00.000Z', state, stoppedAt, remainingMs, overdueMs, pausedMs: 0 });
  });

  it('without a recorded severity change, the severity counts from the declaration', () => {
    expect(computeSla(incident({ severity: 'sev2' }), t('2026-11-24T09:30:00Z')).clocks.initialResponse).toMatchObject({
      severity: 'sev2',
      startedAt: '2026-11-24T09:00:00.000Z',
      dueAt: '2026-11-24T10:00:00.000Z',
      state: 'running',
      remainingMs: 30 * MIN,
    });
  });
});

describe('restoration (sev1 Mode B: 4 h from 09:00Z → 13:00Z before pauses)', () => {
  const p = (from: string, to: string | null) => ({ from: t(from), to: to ? t(to) : null });

  it.each<[string, Partial<SlaInput>, string, string, ClockState, number, number | null, number]>([
    // name, patch, now, dueAt, state, remainingMs, overdueMs, pausedMs
    ['running with nothing paused: 1 h left at 12:00', {}, '2026-11-24T12:00:00Z', '2026-11-24T13:00:00.000Z', 'running', 1 * HOUR, null, 0],
    [
      'a resumed pause 10:00–11:30 keeps used time: due 14:30, 2h30 left at 12:00',
      { pauses: [p('2026-11-24T10:00:00Z', '2026-11-24T11:30:00Z')] },
      '2026-11-24T12:00:00Z',
      '2026-11-24T14:30:00.000Z',
      'running',
      2.5 * HOUR,
      null,
      1.5 * HOUR,
    ],
    [
      'an open pause since 10:00 freezes the 3 h left then: at 12:00 due 15:00',
      { status: 'waiting_on_customer', pauses: [p('2026-11-24T10:00:00Z', null)] },
      '2026-11-24T12:00:00Z',
      '2026-11-24T15:00:00.000Z',
      'paused',
      3 * HOUR,
      null,
      2 * HOUR,
    ],
    [
      'the same open pause at 20:00: still 3 h left, due 23:00',
      { status: 'waiting_on_customer', pauses: [p('2026-11-24T10:00:00Z', null)] },
      '2026-11-24T20:00:00Z',
      '2026-11-24T23:00:00.000Z',
      'paused',
      3 * HOUR,
      null,
      10 * HOUR,
    ],
    [
      'paused after the breach (from 14:00): stays breached, 1 h overdue frozen, due 15:00 at 16:00',
      { status: 'waiting_on_customer', pauses: [p('2026-11-24T14:00:00Z', null)] },
      '2026-11-24T16:00:00Z',
      '2026-11-24T15:00:00.000Z',
      'breached',
      0,
      1 * HOUR,
      2 * HOUR,
    ],
    [
      'a pause that began before the declaration counts from the declaration: 08:00–10:00 is 1 h',
      { pauses: [p('2026-11-24T08:00:00Z', '2026-11-24T10:00:00Z')] },
      '2026-11-24T12:00:00Z',
      '2026-11-24T14:00:00.000Z',
      'running',
      2 * HOUR,
      null,
      1 * HOUR,
    ],
    [
      'overlapping pauses 10:00–11:00 and 10:30–11:30 count 1h30 once',
      { pauses: [p('2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z'), p('2026-11-24T10:30:00Z', '2026-11-24T11:30:00Z')] },
      '2026-11-24T12:00:00Z',
      '2026-11-24T14:30:00.000Z',
      'running',
      2.5 * HOUR,
      null,
      1.5 * HOUR,
    ],
    [
      'resolved at 13:30 after a 1 h pause is met with 30 min to spare (due 14:00)',
      { status: 'resolved', resolvedAt: t('2026-11-24T13:30:00Z'), pauses: [p('2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z')] },
      '2026-11-24T18:00:00Z',
      '2026-11-24T14:00:00.000Z',
      'met',
      30 * MIN,
      null,
      1 * HOUR,
    ],
    [
      'resolved at 14:30 after a 1 h pause is breached by 30 min',
      { status: 'resolved', resolvedAt: t('2026-11-24T14:30:00Z'), pauses: [p('2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z')] },
      '2026-11-24T18:00:00Z',
      '2026-11-24T14:00:00.000Z',
      'breached',
      0,
      30 * MIN,
      1 * HOUR,
    ],
    [
      'resolved while a pause was still open: the pause ends at the resolution (12:00 → 2 h paused, due 15:00)',
      { status: 'resolved', resolvedAt: t('2026-11-24T12:00:00Z'), pauses: [p('2026-11-24T10:00:00Z', null)] },
      '2026-11-25T12:00:00Z',
      '2026-11-24T15:00:00.000Z',
      'met',
      3 * HOUR,
      null,
      2 * HOUR,
    ],
    [
      'a pause after the resolution does not count',
      { status: 'closed', resolvedAt: t('2026-11-24T12:00:00Z'), pauses: [p('2026-11-24T12:30:00Z', '2026-11-24T13:00:00Z')] },
      '2026-11-25T12:00:00Z',
      '2026-11-24T13:00:00.000Z',
      'met',
      1 * HOUR,
      null,
      0,
    ],
    [
      'a resolvedAt left on an active incident without its resolved period is ignored',
      { status: 'investigating', resolvedAt: t('2026-11-24T10:00:00Z') },
      '2026-11-24T14:00:00Z',
      '2026-11-24T13:00:00.000Z',
      'breached',
      0,
      1 * HOUR,
      0,
    ],
  ])('%s', (_case, patch, now, dueAt, state, remainingMs, overdueMs, pausedMs) => {
    const clock = computeSla(incident(patch), t(now)).clocks.restoration;
    expect(clock).toMatchObject({ kind: 'restoration', startedAt: '2026-11-24T09:00:00.000Z', dueAt, state, remainingMs, overdueMs, pausedMs });
  });

  it('best effort (sev1 Mode A) has no due instant: running, even while paused, then met at resolution', () => {
    const paused = computeSla(incident({ mode: 'A', status: 'waiting_on_customer', pauses: [p('2026-11-24T10:00:00Z', null)] }), t('2026-11-24T11:00:00Z'));
    expect(paused.clocks.restoration).toMatchObject({
      target: { kind: 'best_effort' },
      dueAt: null,
      state: 'running',
      remainingMs: null,
      overdueMs: null,
      pausedMs: 1 * HOUR,
    });
    const resolved = computeSla(incident({ mode: 'A', status: 'resolved', resolvedAt: t('2026-11-25T09:00:00Z') }), t('2026-11-25T10:00:00Z'));
    expect(resolved.clocks.restoration).toMatchObject({ dueAt: null, state: 'met', stoppedAt: '2026-11-25T09:00:00.000Z', remainingMs: null, overdueMs: null });
  });

  it('has no target for sev3 and sev4', () => {
    for (const severity of ['sev3', 'sev4'] as const) {
      expect(computeSla(incident({ severity }), t('2026-11-24T10:00:00Z')).clocks.restoration).toEqual({
        kind: 'restoration',
        target: { kind: 'none', label: `no restoration target stated for ${severity}` },
        startedAt: null,
        dueAt: null,
        state: 'not_applicable',
        stoppedAt: null,
        remainingMs: null,
        overdueMs: null,
        pausedMs: 0,
        owned: true,
        severity,
      });
    }
  });

  it('refuses a pause that ends before it starts', () => {
    expect(() => computeSla(incident({ pauses: [p('2026-11-24T11:00:00Z', '2026-11-24T10:00:00Z')] }), t('2026-11-24T12:00:00Z'))).toThrow(InvalidSlaInput);
  });
});

describe('status update cadence (every 30 min while a sev1/sev2 is active)', () => {
  it.each<[string, Partial<SlaInput>, string, string, ClockState, number, number | null]>([
    ['no update yet at 09:20: due 09:30 (declaration + 30 min)', {}, '2026-11-24T09:20:00Z', '2026-11-24T09:30:00.000Z', 'running', 10 * MIN, null],
    ['no update yet at 09:45: breached by 15 min', {}, '2026-11-24T09:45:00Z', '2026-11-24T09:30:00.000Z', 'breached', 0, 15 * MIN],
    [
      'update at 09:40, now 09:45: due 10:10',
      { lastStatusUpdateAt: t('2026-11-24T09:40:00Z') },
      '2026-11-24T09:45:00Z',
      '2026-11-24T10:10:00.000Z',
      'running',
      25 * MIN,
      null,
    ],
    [
      'waiting on the customer does not pause it',
      { status: 'waiting_on_customer', pauses: [{ from: t('2026-11-24T09:10:00Z'), to: null }] },
      '2026-11-24T09:20:00Z',
      '2026-11-24T09:30:00.000Z',
      'running',
      10 * MIN,
      null,
    ],
    ['sev2 too', { severity: 'sev2' }, '2026-11-24T09:20:00Z', '2026-11-24T09:30:00.000Z', 'running', 10 * MIN, null],
    [
      'an update stamped before the declaration counts from the declaration',
      { lastStatusUpdateAt: t('2026-11-24T08:00:00Z') },
      '2026-11-24T09:20:00Z',
      '2026-11-24T09:30:00.000Z',
      'running',
      10 * MIN,
      null,
    ],
  ])('%s', (_case, patch, now, dueAt, state, remainingMs, overdueMs) => {
    expect(computeSla(incident(patch), t(now)).clocks.statusUpdate).toMatchObject({
      kind: 'status_update',
      dueAt,
      state,
      remainingMs,
      overdueMs,
      stoppedAt: null,
    });
  });

  it.each(['sev3', 'sev4'] as const)('does not apply to %s, in any mode (no cadence in the policy)', (severity) => {
    for (const mode of ['A', 'B', 'C'] as const) {
      const clock = computeSla(incident({ severity, mode }), t('2026-11-24T12:00:00Z')).clocks.statusUpdate;
      expect(clock).toMatchObject({ state: 'not_applicable', target: { kind: 'none' }, dueAt: null, overdueMs: null });
    }
  });

  it('starts at an escalation from sev3 to sev1: the first update is due 30 minutes after it, not after the declaration', () => {
    const escalated = incident({ severity: 'sev1', severityChanges: [{ at: t('2026-11-24T11:00:00Z'), from: 'sev3', to: 'sev1' }] });
    expect(computeSla(escalated, t('2026-11-24T11:10:00Z')).clocks.statusUpdate).toMatchObject({
      state: 'running',
      startedAt: '2026-11-24T11:00:00.000Z',
      dueAt: '2026-11-24T11:30:00.000Z',
    });
  });

  it('keeps running through a change between sev1 and sev2 (both have the cadence)', () => {
    const changed = incident({ severity: 'sev2', severityChanges: [{ at: t('2026-11-24T09:20:00Z'), from: 'sev1', to: 'sev2' }] });
    expect(computeSla(changed, t('2026-11-24T09:25:00Z')).clocks.statusUpdate).toMatchObject({ dueAt: '2026-11-24T09:30:00.000Z' });
  });

  it.each(['resolved', 'closed'] as const)('does not apply once %s', (status) => {
    const clock = computeSla(incident({ status, resolvedAt: t('2026-11-24T11:00:00Z') }), t('2026-11-24T12:00:00Z')).clocks.statusUpdate;
    expect(clock).toMatchObject({ state: 'not_applicable', startedAt: null, dueAt: null, remainingMs: null, overdueMs: null });
  });
});

describe('PIR due (5 business days after resolution, sev1 and sev2)', () => {
  // Resolved Tue 2026-11-24 14:00 Rome (13:00Z) → 5 bd = Wed, Thu, Fri, Mon, Tue → Tue 2026-12-01 14:00 = 13:00Z.
  const resolved = (patch: Partial<SlaInput> = {}) => incident({ status: 'resolved', resolvedAt: t('2026-11-24T13:00:00Z'), ...patch });

  it.each<[string, Partial<SlaInput>, string, ClockState, string | null, number, number | null]>([
    // From 2026-11-25T10:00Z to 2026-12-01T13:00Z = 6 d 3 h.
    ['not delivered the next day: running', {}, '2026-11-25T10:00:00Z', 'running', null, 6 * DAY + 3 * HOUR, null],
    [
      'delivered Mon 2026-11-30 10:00Z: met 1 d 3 h early',
      { pirDeliveredAt: t('2026-11-30T10:00:00Z') },
      '2026-12-10T00:00:00Z',
      'met',
      '2026-11-30T10:00:00.000Z',
      1 * DAY + 3 * HOUR,
      null,
    ],
    [
      'delivered Wed 2026-12-02 13:00Z: breached by 1 d',
      { pirDeliveredAt: t('2026-12-02T13:00:00Z') },
      '2026-12-10T00:00:00Z',
      'breached',
      '2026-12-02T13:00:00.000Z',
      0,
      1 * DAY,
    ],
    ['not delivered 1 s after due: breached', {}, '2026-12-01T13:00:01Z', 'breached', null, 0, 1000],
    ['sev2 gets the same clock', { severity: 'sev2', mode: 'A' }, '2026-11-25T10:00:00Z', 'running', null, 6 * DAY + 3 * HOUR, null],
  ])('%s', (_case, patch, now, state, stoppedAt, remainingMs, overdueMs) => {
    expect(computeSla(resolved(patch), t(now)).clocks.pirDue).toMatchObject({
      kind: 'pir_due',
      startedAt: '2026-11-24T13:00:00.000Z',
      dueAt: '2026-12-01T13:00:00.000Z',
      state,
      stoppedAt,
      remainingMs,
      overdueMs,
    });
  });

  it('counts from the next opening when resolved after hours: Fri 2026-11-27 17:30 → Fri 2026-12-04 17:00 Rome', () => {
    const sla = computeSla(resolved({ resolvedAt: t('2026-11-27T16:30:00Z') }), t('2026-11-28T00:00:00Z'));
    expect(sla.clocks.pirDue.dueAt).toBe('2026-12-04T16:00:00.000Z');
  });

  it('ends as not applicable when a support engineer waives the PIR after the resolution', () => {
    const waived = computeSla(resolved({ severity: 'sev2', pirWaivedAt: t('2026-11-25T09:00:00Z') }), t('2026-12-10T00:00:00Z')).clocks.pirDue;
    expect(waived).toMatchObject({ state: 'not_applicable', dueAt: null, stoppedAt: '2026-11-25T09:00:00.000Z', overdueMs: null });
    // A waiver from an earlier resolution (before this one) does not apply; a delivered PIR keeps its outcome.
    expect(computeSla(resolved({ pirWaivedAt: t('2026-11-24T12:00:00Z') }), t('2026-11-25T10:00:00Z')).clocks.pirDue.state).toBe('running');
    const delivered = resolved({ pirDeliveredAt: t('2026-11-30T10:00:00Z'), pirWaivedAt: t('2026-12-01T10:00:00Z') });
    expect(computeSla(delivered, t('2026-12-10T00:00:00Z')).clocks.pirDue.state).toBe('met');
    expect(() => computeSla(resolved({ pirWaivedAt: new Date('nope') }), t('2026-12-10T00:00:00Z'))).toThrow(InvalidSlaInput);
  });

  it('does not apply before resolution', () => {
    expect(computeSla(incident(), t('2026-11-24T12:00:00Z')).clocks.pirDue).toMatchObject({
      state: 'not_applicable',
      target: { kind: 'business_days', days: 5 },
      startedAt: null,
      dueAt: null,
    });
  });

  it.each(['sev3', 'sev4'] as const)('does not apply to %s', (severity) => {
    expect(computeSla(resolved({ severity }), t('2026-11-25T10:00:00Z')).clocks.pirDue).toMatchObject({
      state: 'not_applicable',
      target: { kind: 'none' },
      dueAt: null,
    });
  });

  it('does not apply to a reopened incident', () => {
    expect(computeSla(resolved({ status: 'investigating' }), t('2026-11-25T10:00:00Z')).clocks.pirDue.state).toBe('not_applicable');
  });
});

describe('ownership (seed: in Mode C the data plane runs in the customer cloud)', () => {
  it('Mode C data plane: assisting, every clock computed but not owned', () => {
    const sla = computeSla(incident({ mode: 'C', plane: 'data_plane' }), t('2026-11-24T09:05:00Z'));
    expect(sla.ownership).toBe('assisting');
    expect(sla.ownershipNote).toMatch(/data plane runs in your cloud/);
    expect(sla.ownershipNote).toMatch(/runbook/);
    const clocks = Object.values(sla.clocks);
    expect(clocks.map((c) => c.owned)).toEqual([false, false, false, false]);
    // Still computed: 15 min response, 4 h restoration from 09:00Z.
    expect(sla.clocks.initialResponse.dueAt).toBe('2026-11-24T09:15:00.000Z');
    expect(sla.clocks.restoration.dueAt).toBe('2026-11-24T13:00:00.000Z');
  });

  it.each<[ServiceMode, IncidentPlane | null]>([
    ['C', 'control_plane'],
    ['C', 'not_sure'],
    ['C', null],
    ['A', 'data_plane'],
    ['B', 'data_plane'],
  ])('Mode %s plane %s: owned', (mode, plane) => {
    const sla = computeSla(incident({ mode, plane }), t('2026-11-24T09:05:00Z'));
    expect(sla.ownership).toBe('owned');
    expect(sla.ownershipNote).toBeNull();
    expect(Object.values(sla.clocks).every((c) => c.owned)).toBe(true);
  });
});

describe('the block', () => {
  it('carries the channels for the severity x mode and the instant it was computed at', () => {
    const sla = computeSla(incident({ mode: 'C' }), t('2026-11-24T09:05:00Z'));
    expect(sla.channels).toEqual(['slack_teams_connect', 'email', 'phone_hotline']);
    expect(sla.computedAt).toBe('2026-11-24T09:05:00.000Z');
  });

  it('refuses a resolved status without resolvedAt', () => {
    expect(() => computeSla(incident({ status: 'resolved' }), t('2026-11-24T10:00:00Z'))).toThrow(InvalidSlaInput);
  });

  it('refuses an invalid calendar, even for a severity with wall-clock targets only', () => {
    expect(() => computeSla(incident({ calendar: { ...ROME, dayEnd: '08:00' } }), t('2026-11-24T10:00:00Z'))).toThrow(InvalidBusinessCalendar);
  });

  it('refuses an invalid date', () => {
    expect(() => computeSla(incident({ declaredAt: new Date('nope') }), t('2026-11-24T10:00:00Z'))).toThrow(InvalidSlaInput);
  });
});
