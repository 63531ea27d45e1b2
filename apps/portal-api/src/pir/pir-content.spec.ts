import type { IncidentDetail } from '@portal/contracts';
import { formatDuration, prefilledSections, slaOutcomesOf, timelineOf } from './pir-content';

const run = (over: Record<string, unknown>) => ({
  clock: 'initial_response',
  severity: 'sev1',
  target: { kind: 'wall_clock', minutes: 15, label: '15 min' },
  startedBy: 'declaration',
  startedAt: '2026-11-24T09:00:00.000Z',
  dueAt: '2026-11-24T09:15:00.000Z',
  endedBy: 'stop',
  endedAt: '2026-11-24T09:04:00.000Z',
  outcome: 'met',
  overdueMs: null,
  pausedMs: 0,
  owned: true,
  informational: false,
  ...over,
});

function incident(over: Partial<IncidentDetail> = {}): IncidentDetail {
  return {
    id: 'i1',
    reference: 'INC-7',
    tenant: { id: 't1', slug: 'acme', displayName: 'Acme' },
    title: 'EU console down',
    severity: 'sev1',
    services: ['Identity'],
    regions: ['eu-south-1'],
    impactedUsers: 250,
    symptoms: 'Error page after the IdP redirect.',
    declaredAt: '2026-11-24T09:00:00.000Z',
    declaredBy: { kind: 'user', id: 'u1', label: 'Ada Admin' },
    acknowledgedAt: '2026-11-24T09:04:00.000Z',
    acknowledgedBy: { kind: 'user', id: 's1', label: 'Sam Support' },
    resolvedAt: '2026-11-24T10:07:00.000Z',
    resolutionSummary: 'Rotated the chain.',
    statusUpdates: [{ id: 'su1', state: 'identified', body: 'Expired intermediate.', author: 'Sam', createdAt: '2026-11-24T09:20:00.000Z' }],
    impactedUserHistory: [
      { count: 250, recordedAt: '2026-11-24T09:00:00.000Z', recordedBy: 'Ada' },
      { count: 1250, recordedAt: '2026-11-24T09:30:00.000Z', recordedBy: 'Ada' },
    ],
    severityChanges: [{ at: '2026-11-24T09:10:00.000Z', from: 'sev2', to: 'sev1', reason: 'whole region', by: { kind: 'user', id: 's1', label: 'Sam' } }],
    slaBreaches: [
      {
        clock: 'status_update',
        dueAt: '2026-11-24T09:50:00.000Z',
        detectedAt: '2026-11-24T09:50:01.000Z',
        severity: 'sev1',
        owned: true,
        informational: false,
      },
    ],
    clockHistory: { runs: [], pauses: [] },
    ...over,
  } as unknown as IncidentDetail;
}

describe('PIR content from the incident record', () => {
  it('builds the timeline in time order from every kind of record', () => {
    expect(timelineOf(incident())).toEqual([
      { at: '2026-11-24 09:00 UTC', kind: 'Declared', text: 'Sev1 declared by Ada Admin: EU console down' },
      { at: '2026-11-24 09:04 UTC', kind: 'Acknowledged', text: 'Acknowledged by Sam Support' },
      { at: '2026-11-24 09:10 UTC', kind: 'Severity changed', text: 'Sev2 → Sev1 by Sam: whole region' },
      { at: '2026-11-24 09:20 UTC', kind: 'Status: identified', text: 'Expired intermediate.' },
      { at: '2026-11-24 09:30 UTC', kind: 'Impact', text: 'Impacted users: 1250 (recorded by Ada)' },
      { at: '2026-11-24 09:50 UTC', kind: 'SLA breach', text: 'status_update clock breached' },
      { at: '2026-11-24 10:07 UTC', kind: 'Resolved', text: 'Rotated the chain.' },
    ]);
  });

  it('prefills summary, impact (peak users) and remediation', () => {
    const s = prefilledSections(incident());
    expect(s.summary).toContain('Sev1 incident INC-7 (Identity) was declared on 2026-11-24 09:00 UTC and resolved after 1 h 7 min.');
    expect(s.impact).toContain('Up to 1250 users');
    expect(s.remediation).toBe('Rotated the chain.');
    expect(s.root_cause).toBe('');
  });

  it('reports every clock run, a breach before a severity change included, and the PIR as delivered at publication', () => {
    const inc = incident({
      clockHistory: {
        runs: [
          run({ clock: 'initial_response', severity: 'sev2', outcome: 'breached', overdueMs: 12 * 60_000, endedBy: 'severity_change' }),
          run({ clock: 'restoration', target: { kind: 'wall_clock', minutes: 240, label: '4 h' }, endedAt: '2026-11-24T10:07:00.000Z' }),
          run({
            clock: 'pir_due',
            target: { kind: 'business_days', days: 5, label: '5 business days' },
            outcome: 'running',
            dueAt: '2026-12-01T10:07:00.000Z',
            endedAt: null,
          }),
        ],
        pauses: [],
      } as never,
    });
    expect(slaOutcomesOf(inc, new Date('2026-11-26T10:00:00Z'))).toEqual([
      { clock: 'Initial response (Sev2)', target: '15 min', outcome: 'Breached', detail: '12 min past due' },
      { clock: 'Restoration (Sev1)', target: '4 h', outcome: 'Met', detail: 'after 1 h 7 min' },
      { clock: 'Post-incident review (Sev1)', target: '5 business days', outcome: 'Met', detail: 'delivered on time' },
    ]);
    expect(slaOutcomesOf(inc, new Date('2026-12-02T10:07:00Z'))[2]).toMatchObject({ outcome: 'Breached', detail: 'delivered 1 d late' });
  });

  it('formats durations', () => {
    expect([formatDuration(0), formatDuration(61 * 60_000), formatDuration(26 * 3600_000 + 5 * 60_000)]).toEqual(['0 min', '1 h 1 min', '1 d 2 h']);
  });
});
