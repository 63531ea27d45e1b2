import { clockHistory, computeSla, DEFAULT_CALENDAR, InvalidSlaInput } from '@portal/sla';
import type { ClockRun, SeverityChange, Severity, SlaClock, SlaInput } from '@portal/sla';

/*
 * The SLA record nobody can rewrite (hardening issue, item 7): severity changes, reopens and the clock
 * history. Hand-computed tables; the rules are in libs/sla/README.md ("Severity changes", "Reopen").
 */

const ROME = DEFAULT_CALENDAR('Europe/Rome');
const MIN = 60_000;
const HOUR = 60 * MIN;
const t = (iso: string) => new Date(iso);
/** 2026-11-24 at hh:mm UTC (10:00 Rome is 09:00Z). */
const at = (hhmm: string) => t(`2026-11-24T${hhmm}:00.000Z`);
const z = (hhmm: string) => at(hhmm).toISOString();
const change = (when: string, from: Severity, to: Severity): SeverityChange => ({ at: at(when), from, to });

/** A Sev 1 Mode B incident declared Tue 2026-11-24 10:00 Rome (09:00Z), still being investigated. */
function incident(patch: Partial<SlaInput> = {}): SlaInput {
  return {
    mode: 'B',
    severity: 'sev1',
    plane: null,
    status: 'investigating',
    declaredAt: at('09:00'),
    acknowledgedAt: null,
    resolvedAt: null,
    pauses: [],
    lastStatusUpdateAt: null,
    pirDeliveredAt: null,
    calendar: ROME,
    ...patch,
  };
}

describe('severity changes: a clock change is an event with its own start', () => {
  // Mode B targets: sev1 15 min / 4 h, sev2 1 h / 24 h, sev3 and sev4 1 business day / none.
  // Mode A: sev1 30 min / best effort, sev2 4 h / best effort.
  it.each<[string, Partial<SlaInput>, string, Partial<SlaClock>]>([
    [
      'upgrade sev2 → sev1 at 09:30, before the sev2 due: the 15 minutes count from the change',
      { severity: 'sev1', severityChanges: [change('09:30', 'sev2', 'sev1')] },
      '09:35',
      { severity: 'sev1', startedAt: z('09:30'), dueAt: z('09:45'), state: 'running', remainingMs: 10 * MIN, overdueMs: null },
    ],
    [
      'an on-time acknowledgement under sev2 (09:20, due 10:00) stays met after an upgrade at 09:30',
      { severity: 'sev1', severityChanges: [change('09:30', 'sev2', 'sev1')], acknowledgedAt: at('09:20') },
      '10:00',
      { severity: 'sev2', startedAt: z('09:00'), dueAt: z('10:00'), state: 'met', stoppedAt: z('09:20'), remainingMs: 40 * MIN, overdueMs: null },
    ],
    [
      'an acknowledgement at the very instant of the change counts under the old severity',
      { severity: 'sev1', severityChanges: [change('09:30', 'sev2', 'sev1')], acknowledgedAt: at('09:30') },
      '10:00',
      { severity: 'sev2', dueAt: z('10:00'), state: 'met', stoppedAt: z('09:30') },
    ],
    [
      'downgrade sev1 → sev2 at 09:30, after the 09:15 due: the breach stays, under sev1, and keeps counting',
      { severity: 'sev2', severityChanges: [change('09:30', 'sev1', 'sev2')] },
      '09:40',
      { severity: 'sev1', startedAt: z('09:00'), dueAt: z('09:15'), state: 'breached', stoppedAt: null, overdueMs: 25 * MIN },
    ],
    [
      'the same downgrade, acknowledged at 09:50: breached by 35 minutes',
      { severity: 'sev2', severityChanges: [change('09:30', 'sev1', 'sev2')], acknowledgedAt: at('09:50') },
      '10:00',
      { severity: 'sev1', dueAt: z('09:15'), state: 'breached', stoppedAt: z('09:50'), overdueMs: 35 * MIN },
    ],
    [
      'downgrade sev1 → sev2 at 09:10, before the 09:15 due: the sev2 hour counts from 09:10',
      { severity: 'sev2', severityChanges: [change('09:10', 'sev1', 'sev2')] },
      '09:20',
      { severity: 'sev2', startedAt: z('09:10'), dueAt: z('10:10'), state: 'running', remainingMs: 50 * MIN },
    ],
    [
      'a change exactly at the due instant is still on time: the new run starts at 09:15',
      { severity: 'sev2', severityChanges: [change('09:15', 'sev1', 'sev2')] },
      '09:20',
      { severity: 'sev2', startedAt: z('09:15'), dueAt: z('10:15'), state: 'running' },
    ],
    [
      'sev1 → sev2 at 09:05 and back to sev1 at 09:50, acknowledged at 10:00: met in the run from 09:50',
      { severity: 'sev1', severityChanges: [change('09:05', 'sev1', 'sev2'), change('09:50', 'sev2', 'sev1')], acknowledgedAt: at('10:00') },
      '10:30',
      { severity: 'sev1', startedAt: z('09:50'), dueAt: z('10:05'), state: 'met', stoppedAt: z('10:00'), remainingMs: 5 * MIN },
    ],
    [
      'a change to a severity with the same target does not restart the clock: sev3 → sev4 in Mode B (1 business day each)',
      { severity: 'sev4', severityChanges: [change('11:00', 'sev3', 'sev4')] },
      '12:00',
      // Tue 10:00 Rome + 1 business day = Wed 10:00 Rome = 09:00Z.
      { severity: 'sev3', startedAt: z('09:00'), dueAt: '2026-11-25T09:00:00.000Z', state: 'running' },
    ],
    [
      'Mode A: upgrade sev2 → sev1 at 10:00 (4 h, due 13:00): the 30 minutes count from the change',
      { mode: 'A', severity: 'sev1', severityChanges: [change('10:00', 'sev2', 'sev1')] },
      '10:10',
      { severity: 'sev1', startedAt: z('10:00'), dueAt: z('10:30'), state: 'running', remainingMs: 20 * MIN },
    ],
  ])('initial response: %s', (_case, patch, now, expected) => {
    expect(computeSla(incident(patch), at(now)).clocks.initialResponse).toMatchObject(expected);
  });

  it.each<[string, Partial<SlaInput>, string, Partial<SlaClock>]>([
    [
      'upgrade sev2 → sev1 at 09:30: four hours from the change, due 13:30',
      { severity: 'sev1', severityChanges: [change('09:30', 'sev2', 'sev1')] },
      '10:00',
      { severity: 'sev1', startedAt: z('09:30'), dueAt: z('13:30'), state: 'running', remainingMs: 3.5 * HOUR, pausedMs: 0 },
    ],
    [
      'a pause before the change belongs to the old run: upgrade at 11:00 after waiting 10:00–10:30, due 15:00',
      { severity: 'sev1', severityChanges: [change('11:00', 'sev2', 'sev1')], pauses: [{ from: at('10:00'), to: at('10:30') }] },
      '12:00',
      { severity: 'sev1', startedAt: z('11:00'), dueAt: z('15:00'), state: 'running', remainingMs: 3 * HOUR, pausedMs: 0 },
    ],
    [
      'a change while waiting on the customer: the new run starts paused with its whole target left',
      {
        status: 'waiting_on_customer',
        severity: 'sev1',
        severityChanges: [change('10:30', 'sev2', 'sev1')],
        pauses: [{ from: at('10:00'), to: null }],
      },
      '11:00',
      { severity: 'sev1', startedAt: z('10:30'), dueAt: z('15:00'), state: 'paused', remainingMs: 4 * HOUR, pausedMs: 30 * MIN },
    ],
    [
      'downgrade sev1 → sev3 on time: no restoration target any more',
      { severity: 'sev3', severityChanges: [change('10:00', 'sev1', 'sev3')], acknowledgedAt: at('09:10') },
      '10:30',
      { severity: 'sev3', state: 'not_applicable', startedAt: null, dueAt: null },
    ],
    [
      'downgrade sev1 → sev3 at 14:00, after the 13:00 due: the breach stays under sev1',
      { severity: 'sev3', severityChanges: [change('14:00', 'sev1', 'sev3')], acknowledgedAt: at('09:10') },
      '14:30',
      { severity: 'sev1', startedAt: z('09:00'), dueAt: z('13:00'), state: 'breached', overdueMs: 90 * MIN },
    ],
    [
      'upgrade sev3 → sev1 at 10:00: restoration starts at the change, due 14:00',
      { severity: 'sev1', severityChanges: [change('10:00', 'sev3', 'sev1')] },
      '11:00',
      { severity: 'sev1', startedAt: z('10:00'), dueAt: z('14:00'), state: 'running', remainingMs: 3 * HOUR },
    ],
  ])('restoration: %s', (_case, patch, now, expected) => {
    expect(computeSla(incident(patch), at(now)).clocks.restoration).toMatchObject(expected);
  });

  it('does not touch the status-update cadence (30 minutes for every severity)', () => {
    const sla = computeSla(incident({ severity: 'sev2', severityChanges: [change('09:10', 'sev1', 'sev2')] }), at('09:20'));
    expect(sla.clocks.statusUpdate).toMatchObject({ startedAt: z('09:00'), dueAt: z('09:30'), severity: 'sev2' });
  });

  it.each<[string, Partial<SlaInput>, RegExp]>([
    ['a change before the declaration', { severity: 'sev2', severityChanges: [change('08:00', 'sev1', 'sev2')] }, /before the declaration/],
    ['changes out of order', { severity: 'sev1', severityChanges: [change('10:00', 'sev1', 'sev2'), change('09:30', 'sev2', 'sev1')] }, /out of order/],
    ['a broken chain', { severity: 'sev3', severityChanges: [change('09:10', 'sev1', 'sev2'), change('09:20', 'sev3', 'sev3')] }, /starts from sev3/],
    ['a last change that is not the severity', { severity: 'sev1', severityChanges: [change('09:10', 'sev1', 'sev2')] }, /not at the severity sev1/],
  ])('refuses %s', (_case, patch, message) => {
    expect(() => computeSla(incident(patch), at('12:00'))).toThrow(InvalidSlaInput);
    expect(() => computeSla(incident(patch), at('12:00'))).toThrow(message);
  });
});

describe('reopen: the resolved period is a pause of restoration', () => {
  // Sev 1 Mode B: restoration 4 h from 09:00Z → 13:00Z before pauses.
  it.each<[string, Partial<SlaInput>, string, Partial<SlaClock>]>([
    [
      'met at the 12:00 resolution, reopened at 15:00: 1 h left, as at the resolution',
      { resolvedPeriods: [{ from: at('12:00'), to: at('15:00') }] },
      '15:00',
      { dueAt: z('16:00'), state: 'running', remainingMs: 1 * HOUR, overdueMs: null, pausedMs: 3 * HOUR },
    ],
    [
      'with waiting on the customer 10:00–11:00 before it: due 17:00',
      { pauses: [{ from: at('10:00'), to: at('11:00') }], resolvedPeriods: [{ from: at('12:00'), to: at('15:00') }] },
      '15:30',
      { dueAt: z('17:00'), state: 'running', remainingMs: 1.5 * HOUR, pausedMs: 4 * HOUR },
    ],
    [
      'breached at the 14:00 resolution (due 13:00): still breached after the 15:00 reopen',
      { resolvedPeriods: [{ from: at('14:00'), to: at('15:00') }] },
      '15:10',
      { dueAt: z('14:00'), state: 'breached', overdueMs: 70 * MIN, pausedMs: 1 * HOUR },
    ],
    [
      'resolved again at 15:30 after the reopen: met with 30 minutes to spare',
      { status: 'resolved', resolvedAt: at('15:30'), resolvedPeriods: [{ from: at('12:00'), to: at('15:00') }] },
      '18:00',
      { dueAt: z('16:00'), state: 'met', stoppedAt: z('15:30'), remainingMs: 30 * MIN, pausedMs: 3 * HOUR },
    ],
    [
      'two reopens (10:00–11:00 and 12:00–12:30): both pause, due 14:30',
      {
        resolvedPeriods: [
          { from: at('10:00'), to: at('11:00') },
          { from: at('12:00'), to: at('12:30') },
        ],
      },
      '13:00',
      { dueAt: z('14:30'), state: 'running', remainingMs: 1.5 * HOUR, pausedMs: 1.5 * HOUR },
    ],
  ])('restoration: %s', (_case, patch, now, expected) => {
    expect(computeSla(incident(patch), at(now)).clocks.restoration).toMatchObject(expected);
  });

  it.each<[string, Partial<SlaInput>, string, Partial<SlaClock>]>([
    [
      'resolved at 09:12 without an acknowledgement, reopened at 10:00: still met at 09:12',
      { resolvedPeriods: [{ from: at('09:12'), to: at('10:00') }] },
      '10:30',
      { dueAt: z('09:15'), state: 'met', stoppedAt: z('09:12'), remainingMs: 3 * MIN },
    ],
    [
      'and acknowledged at 10:20 after the reopen: still met at 09:12',
      { resolvedPeriods: [{ from: at('09:12'), to: at('10:00') }], acknowledgedAt: at('10:20') },
      '10:30',
      { dueAt: z('09:15'), state: 'met', stoppedAt: z('09:12') },
    ],
  ])('initial response: %s', (_case, patch, now, expected) => {
    expect(computeSla(incident(patch), at(now)).clocks.initialResponse).toMatchObject(expected);
  });

  it('restarts the status-update cadence at the reopen: update 09:40, resolved 10:00, reopened 11:00 → due 11:30', () => {
    const sla = computeSla(incident({ lastStatusUpdateAt: at('09:40'), resolvedPeriods: [{ from: at('10:00'), to: at('11:00') }] }), at('11:10'));
    expect(sla.clocks.statusUpdate).toMatchObject({ startedAt: z('11:00'), dueAt: z('11:30'), state: 'running', remainingMs: 20 * MIN });
  });

  it('counts the PIR from the last resolution: resolved Wed 2026-11-25 13:00 Rome → due Wed 2026-12-02 13:00 Rome', () => {
    const sla = computeSla(
      incident({ status: 'resolved', resolvedAt: t('2026-11-25T12:00:00Z'), resolvedPeriods: [{ from: at('13:00'), to: t('2026-11-25T08:00:00Z') }] }),
      t('2026-11-26T10:00:00Z'),
    );
    expect(sla.clocks.pirDue).toMatchObject({ startedAt: '2026-11-25T12:00:00.000Z', dueAt: '2026-12-02T12:00:00.000Z', state: 'running' });
  });

  it.each<[string, Partial<SlaInput>]>([
    ['a resolved period that ends before it starts', { resolvedPeriods: [{ from: at('12:00'), to: at('11:00') }] }],
    [
      'overlapping resolved periods',
      {
        resolvedPeriods: [
          { from: at('10:00'), to: at('12:00') },
          { from: at('11:00'), to: at('13:00') },
        ],
      },
    ],
  ])('refuses %s', (_case, patch) => {
    expect(() => computeSla(incident(patch), at('14:00'))).toThrow(InvalidSlaInput);
  });
});

describe('clock history', () => {
  const run = (r: Partial<ClockRun>): Partial<ClockRun> => ({ overdueMs: null, informational: false, owned: true, ...r });

  it('an upgrade: the sev2 runs end at the change, the sev1 runs start there', () => {
    const h = clockHistory(incident({ severity: 'sev1', severityChanges: [change('09:30', 'sev2', 'sev1')], acknowledgedAt: at('09:40') }), at('10:00'));
    expect(h.runs).toEqual([
      expect.objectContaining(
        run({
          clock: 'initial_response',
          severity: 'sev2',
          startedBy: 'declaration',
          startedAt: z('09:00'),
          dueAt: z('10:00'),
          endedBy: 'severity_change',
          endedAt: z('09:30'),
          outcome: 'superseded',
        }),
      ),
      expect.objectContaining(
        run({
          clock: 'restoration',
          severity: 'sev2',
          startedBy: 'declaration',
          startedAt: z('09:00'),
          dueAt: '2026-11-25T09:00:00.000Z',
          endedBy: 'severity_change',
          endedAt: z('09:30'),
          outcome: 'superseded',
        }),
      ),
      expect.objectContaining(
        run({
          clock: 'initial_response',
          severity: 'sev1',
          startedBy: 'severity_change',
          startedAt: z('09:30'),
          dueAt: z('09:45'),
          endedBy: 'stop',
          endedAt: z('09:40'),
          outcome: 'met',
        }),
      ),
      expect.objectContaining(
        run({
          clock: 'restoration',
          severity: 'sev1',
          startedBy: 'severity_change',
          startedAt: z('09:30'),
          dueAt: z('13:30'),
          endedBy: null,
          outcome: 'running',
        }),
      ),
    ]);
    expect(h.pauses).toEqual([]);
  });

  it('a downgrade after a breach: the breached run stays, restoration starts again under sev2', () => {
    const h = clockHistory(incident({ severity: 'sev2', severityChanges: [change('09:30', 'sev1', 'sev2')] }), at('09:40'));
    expect(h.runs.map((r) => [r.clock, r.severity, r.startedAt, r.dueAt, r.endedBy, r.outcome, r.overdueMs])).toEqual([
      ['initial_response', 'sev1', z('09:00'), z('09:15'), null, 'breached', 25 * MIN],
      ['restoration', 'sev1', z('09:00'), z('13:00'), 'severity_change', 'superseded', null],
      ['restoration', 'sev2', z('09:30'), '2026-11-25T09:30:00.000Z', null, 'running', null],
    ]);
  });

  it('a reopen: the PIR run of the first resolution ends at the reopen, the pauses are listed', () => {
    const h = clockHistory(
      incident({
        status: 'resolved',
        acknowledgedAt: at('09:10'),
        pauses: [{ from: at('10:00'), to: at('11:00') }],
        resolvedPeriods: [{ from: at('12:00'), to: at('15:00') }],
        resolvedAt: at('15:30'),
      }),
      at('16:00'),
    );
    expect(h.runs.map((r) => [r.clock, r.startedBy, r.startedAt, r.dueAt, r.endedBy, r.endedAt, r.outcome, r.pausedMs])).toEqual([
      ['initial_response', 'declaration', z('09:00'), z('09:15'), 'stop', z('09:10'), 'met', 0],
      ['restoration', 'declaration', z('09:00'), z('17:00'), 'stop', z('15:30'), 'met', 4 * HOUR],
      // 5 business days from Tue 13:00 Rome → Tue 2026-12-01 13:00 Rome (12:00Z); from 16:30 Rome → 16:30 (15:30Z).
      ['pir_due', 'resolution', z('12:00'), '2026-12-01T12:00:00.000Z', 'reopen', z('15:00'), 'superseded', 0],
      ['pir_due', 'resolution', z('15:30'), '2026-12-01T15:30:00.000Z', null, null, 'running', 0],
    ]);
    expect(h.pauses).toEqual([
      { reason: 'waiting_on_customer', from: z('10:00'), to: z('11:00') },
      { reason: 'resolved', from: z('12:00'), to: z('15:00') },
    ]);
  });

  it('a PIR overdue when the incident is reopened stays breached in the history', () => {
    // Resolved Tue 13:00Z; 5 business days → Tue 2026-12-01 13:00Z; reopened Wed 2026-12-02 09:00Z.
    const h = clockHistory(incident({ resolvedPeriods: [{ from: at('13:00'), to: t('2026-12-02T09:00:00Z') }] }), t('2026-12-02T10:00:00Z'));
    expect(h.runs.find((r) => r.clock === 'pir_due')).toMatchObject({ outcome: 'breached', endedBy: 'reopen', overdueMs: 20 * HOUR });
  });

  it.each<[string, 'data_plane' | 'control_plane', boolean]>([
    ['Mode C data plane: a breach is informational (Claresia assists)', 'data_plane', true],
    ['Mode C control plane: a breach is a vendor breach', 'control_plane', false],
  ])('%s', (_case, plane, informational) => {
    const input = incident({ mode: 'C', plane });
    const clock = computeSla(input, at('09:30')).clocks.initialResponse;
    expect(clock).toMatchObject({ state: 'breached', owned: !informational });
    expect(clockHistory(input, at('09:30')).runs[0]).toMatchObject({ clock: 'initial_response', outcome: 'breached', owned: !informational, informational });
  });

  it('leaves out clocks that have no target and the status-update cadence', () => {
    const h = clockHistory(incident({ severity: 'sev3' }), at('10:00'));
    expect(h.runs.map((r) => r.clock)).toEqual(['initial_response']);
  });
});
