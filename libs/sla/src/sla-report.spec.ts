import { clockHistory, csvField, DEFAULT_CALENDAR, monthWindow, slaReport, slaReportCsv } from '@portal/sla';
import type { ClockRun, SlaReportIncident } from '@portal/sla';

/*
 * The monthly SLA report on a hand-made set of six incidents of November 2026 (Europe/Rome) plus two outside
 * the month. Every figure below is computed by hand from the table.
 */

const MIN = 60_000;
const t = (iso: string) => new Date(iso);
const NOW = t('2026-12-10T12:00:00Z');

function run(clock: ClockRun['clock'], outcome: ClockRun['outcome'], patch: Partial<ClockRun> = {}): ClockRun {
  return {
    clock,
    severity: 'sev2',
    target: { kind: 'wall_clock', minutes: 60, label: '1 hour' },
    startedBy: 'declaration',
    startedAt: '2026-11-02T09:00:00.000Z',
    dueAt: '2026-11-02T10:00:00.000Z',
    endedBy: outcome === 'running' ? null : 'stop',
    endedAt: null,
    outcome,
    overdueMs: outcome === 'breached' ? MIN : null,
    pausedMs: 0,
    owned: true,
    informational: false,
    ...patch,
  };
}

function incident(reference: string, declared: string, patch: Partial<SlaReportIncident> = {}): SlaReportIncident {
  const declaredAt = t(declared);
  return {
    reference,
    severity: 'sev2',
    firstNoticedAt: new Date(declaredAt.getTime() - 10 * MIN),
    declaredAt,
    acknowledgedAt: null,
    resolvedAt: null,
    runs: [],
    recordedBreaches: [],
    pir: { dueAt: null, deliveredAt: null, waivedAt: null },
    ...patch,
  };
}

const plus = (iso: string, minutes: number) => new Date(t(iso).getTime() + minutes * MIN);

const SET: SlaReportIncident[] = [
  // Sev 1 everything met, PIR published before due. detect 10, ack 5, resolve 120.
  incident('INC-1', '2026-11-02T09:00:00Z', {
    severity: 'sev1',
    acknowledgedAt: plus('2026-11-02T09:00:00Z', 5),
    resolvedAt: plus('2026-11-02T09:00:00Z', 120),
    runs: [run('initial_response', 'met'), run('restoration', 'met')],
    pir: { dueAt: t('2026-11-09T11:00:00Z'), deliveredAt: t('2026-11-06T10:00:00Z'), waivedAt: null },
  }),
  // Declared Sev 2, response breached, then raised to Sev 1 and the new run met: a breach stays a breach.
  // detect 30, ack 90, resolve 240; PIR published after due = late.
  incident('INC-2', '2026-11-03T09:00:00Z', {
    severity: 'sev1',
    firstNoticedAt: plus('2026-11-03T09:00:00Z', -30),
    acknowledgedAt: plus('2026-11-03T09:00:00Z', 90),
    resolvedAt: plus('2026-11-03T09:00:00Z', 240),
    runs: [
      run('initial_response', 'breached', { endedBy: 'severity_change' }),
      run('initial_response', 'met', { severity: 'sev1', startedBy: 'severity_change' }),
      run('restoration', 'superseded', { endedBy: 'severity_change' }),
      run('restoration', 'met', { severity: 'sev1', startedBy: 'severity_change' }),
    ],
    pir: { dueAt: t('2026-11-10T13:00:00Z'), deliveredAt: t('2026-11-11T08:00:00Z'), waivedAt: null },
  }),
  // Sev 2 acknowledged in time; restoration breached per the clock checker's record although the run reads met
  // (the record wins); PIR waived. detect 0, ack 20, resolve 600.
  incident('INC-3', '2026-11-10T14:00:00Z', {
    firstNoticedAt: t('2026-11-10T14:00:00Z'),
    acknowledgedAt: plus('2026-11-10T14:00:00Z', 20),
    resolvedAt: plus('2026-11-10T14:00:00Z', 600),
    runs: [run('initial_response', 'met'), run('restoration', 'met')],
    recordedBreaches: ['restoration'],
    pir: { dueAt: t('2026-11-18T10:00:00Z'), deliveredAt: null, waivedAt: t('2026-11-12T10:00:00Z') },
  }),
  // Sev 2 resolved, PIR not yet delivered and past due at NOW: due and overdue. detect 15, ack 10, resolve 60.
  incident('INC-4', '2026-11-20T10:00:00Z', {
    firstNoticedAt: plus('2026-11-20T10:00:00Z', -15),
    acknowledgedAt: plus('2026-11-20T10:00:00Z', 10),
    resolvedAt: plus('2026-11-20T10:00:00Z', 60),
    runs: [run('initial_response', 'met'), run('restoration', 'met')],
    pir: { dueAt: t('2026-11-27T11:00:00Z'), deliveredAt: null, waivedAt: null },
  }),
  // Sev 3 still open: response met, restoration running; the PIR clock does not apply. detect 10, ack 40.
  incident('INC-5', '2026-11-30T22:30:00Z', {
    severity: 'sev3',
    acknowledgedAt: plus('2026-11-30T22:30:00Z', 40),
    runs: [run('initial_response', 'met'), run('restoration', 'running')],
  }),
  // Sev 4 Mode C data plane: an informational breach and a best-effort clock count nowhere. detect 10.
  incident('INC-6', '2026-11-15T10:00:00Z', {
    severity: 'sev4',
    runs: [
      run('initial_response', 'breached', { owned: false, informational: true }),
      run('restoration', 'running', { dueAt: null, target: { kind: 'best_effort', label: 'best effort' } }),
    ],
  }),
  // Outside the month in Rome: 2026-10-31T23:30Z is 00:30 on 1 November in Rome (inside); 2026-11-30T23:00Z is
  // 00:00 on 1 December in Rome (outside).
  incident('INC-7', '2026-10-31T23:30:00Z', { severity: 'sev3', runs: [run('initial_response', 'met')] }),
  incident('INC-8', '2026-11-30T23:00:00Z', { severity: 'sev1', runs: [run('initial_response', 'breached')] }),
];

describe('slaReport', () => {
  const report = slaReport({ month: '2026-11', timezone: 'Europe/Rome', incidents: SET, now: NOW });

  it('takes the calendar month in the tenant time zone', () => {
    expect(monthWindow('2026-11', 'Europe/Rome')).toEqual({ from: t('2026-10-31T23:00:00Z'), to: t('2026-11-30T23:00:00Z') });
    expect(report.incidents.map((r) => r.reference)).toEqual(['INC-7', 'INC-1', 'INC-2', 'INC-3', 'INC-6', 'INC-4', 'INC-5']);
    expect(report.incidentCount).toBe(7);
    expect(report.bySeverity).toEqual({ sev1: 2, sev2: 2, sev3: 2, sev4: 1 });
  });

  it('counts response and restoration attainment; a breach before a severity change stays a breach', () => {
    expect(report.incidents.find((r) => r.reference === 'INC-2')).toMatchObject({ response: 'breached', restoration: 'met' });
    // response: met INC-7, 1, 3, 4, 5; breached INC-2; INC-6 informational only.
    expect(report.attainment.response).toEqual({ met: 5, breached: 1, running: 0, attainmentPct: 83.3 });
    // restoration: met INC-1, 2, 4; breached INC-3 (recorded); running INC-5; INC-6 best effort, INC-7 none.
    expect(report.attainment.restoration).toEqual({ met: 3, breached: 1, running: 1, attainmentPct: 75 });
  });

  it('gives MTTD, MTTA and MTTR as median and p90', () => {
    // detect (min): INC-7 10, 1 10, 2 30, 3 0, 6 10, 4 15, 5 10 → sorted 0,10,10,10,10,15,30: median 10, p90 at 5.4 → 15+0.4*15 = 21.
    expect(report.mttd).toEqual({ count: 7, medianMs: 10 * MIN, p90Ms: 21 * MIN });
    // ack (min): 5, 90, 20, 10, 40 → 5,10,20,40,90: median 20, p90 at 3.6 → 40+0.6*50 = 70.
    expect(report.mtta).toEqual({ count: 5, medianMs: 20 * MIN, p90Ms: 70 * MIN });
    // resolve (min): 120, 240, 600, 60 → 60,120,240,600: median 180, p90 at 2.7 → 240+0.7*360 = 492.
    expect(report.mttr).toEqual({ count: 4, medianMs: 180 * MIN, p90Ms: 492 * MIN });
  });

  it('counts PIRs on time, late, waived and due', () => {
    expect(report.pirs).toEqual({ onTime: 1, late: 1, waived: 1, due: 1, overdue: 1 });
    expect(Object.fromEntries(report.incidents.map((r) => [r.reference, r.pir]))).toEqual({
      'INC-1': 'on_time',
      'INC-2': 'late',
      'INC-3': 'waived',
      'INC-4': 'overdue',
      'INC-5': 'not_applicable',
      'INC-6': 'not_applicable',
      'INC-7': 'not_applicable',
    });
  });

  it('answers an empty month with zeros and no figures', () => {
    const empty = slaReport({ month: '2026-02', timezone: 'America/New_York', incidents: SET, now: NOW });
    expect(empty).toMatchObject({
      incidentCount: 0,
      attainment: { response: { met: 0, breached: 0, running: 0, attainmentPct: null } },
      mttr: { count: 0, medianMs: null, p90Ms: null },
      pirs: { onTime: 0, late: 0, waived: 0, due: 0, overdue: 0 },
    });
  });

  it('keeps a breach from the real clock history after the severity is raised', () => {
    const declaredAt = t('2026-11-24T09:00:00Z');
    // Sev 2 Mode B: response due in 1 h (10:00Z); raised to Sev 1 at 10:30Z, acknowledged 10:35Z.
    const runs = clockHistory(
      {
        mode: 'B',
        severity: 'sev1',
        plane: null,
        status: 'acknowledged',
        declaredAt,
        acknowledgedAt: t('2026-11-24T10:35:00Z'),
        resolvedAt: null,
        pauses: [],
        lastStatusUpdateAt: null,
        pirDeliveredAt: null,
        calendar: DEFAULT_CALENDAR('Europe/Rome'),
        severityChanges: [{ at: t('2026-11-24T10:30:00Z'), from: 'sev2', to: 'sev1' }],
      },
      NOW,
    ).runs;
    const r = slaReport({
      month: '2026-11',
      timezone: 'Europe/Rome',
      now: NOW,
      incidents: [incident('INC-9', declaredAt.toISOString(), { severity: 'sev1', runs })],
    });
    expect(r.incidents[0].response).toBe('breached');
  });

  it('refuses a malformed month', () => {
    expect(() => monthWindow('2026-13', 'Europe/Rome')).toThrow(/YYYY-MM/);
  });
});

describe('slaReportCsv', () => {
  it('quotes fields with commas, quotes and line breaks and neutralises formulas', () => {
    expect(csvField('Acme, "Intl"\nEU')).toBe('"Acme, ""Intl""\nEU"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(83.3)).toBe('83.3');
    expect(csvField(null)).toBe('');
  });

  it('writes the figures and one row per incident', () => {
    const csv = slaReportCsv(slaReport({ month: '2026-11', timezone: 'Europe/Rome', incidents: SET, now: NOW }), 'Acme, Inc.');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('tenant,month,section,metric,value');
    expect(lines).toContain('"Acme, Inc.",2026-11,response SLA,attainment %,83.3');
    expect(lines).toContain('"Acme, Inc.",2026-11,mttr,p90 minutes,492');
    expect(lines).toContain('"Acme, Inc.",2026-11,PIRs,late,1');
    expect(lines).toContain('INC-2,sev1,2026-11-03T09:00:00.000Z,breached,met,30,90,240,late');
  });
});
