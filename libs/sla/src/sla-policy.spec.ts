import { requiredChannels, responseTarget, SLA_POLICY } from '@portal/sla';
import type { Channel, ClockTarget, ServiceMode, Severity } from '@portal/sla';

// Seed 000, "What Claresia commits to" — the table as written there.
describe('responseTarget', () => {
  it.each<[Severity, ServiceMode, ClockTarget]>([
    ['sev1', 'A', { kind: 'wall_clock', minutes: 30, label: '30 minutes' }],
    ['sev1', 'B', { kind: 'wall_clock', minutes: 15, label: '15 minutes' }],
    ['sev1', 'C', { kind: 'wall_clock', minutes: 15, label: '15 minutes' }],
    ['sev2', 'A', { kind: 'wall_clock', minutes: 240, label: '4 hours' }],
    ['sev2', 'B', { kind: 'wall_clock', minutes: 60, label: '1 hour' }],
    ['sev2', 'C', { kind: 'wall_clock', minutes: 60, label: '1 hour' }],
    ['sev3', 'A', { kind: 'business_days', days: 1, label: '1 business day' }],
    ['sev3', 'B', { kind: 'business_days', days: 1, label: '1 business day' }],
    ['sev3', 'C', { kind: 'business_days', days: 1, label: '1 business day' }],
    ['sev4', 'A', { kind: 'business_days', days: 3, label: '3 business days' }],
    ['sev4', 'B', { kind: 'business_days', days: 1, label: '1 business day' }],
    ['sev4', 'C', { kind: 'business_days', days: 1, label: '1 business day' }],
  ])('%s in Mode %s: acknowledge within %o', (severity, mode, target) => {
    expect(responseTarget(severity, mode)).toEqual(target);
  });
});

describe('restoration targets', () => {
  it.each<[Severity, ServiceMode, ClockTarget]>([
    ['sev1', 'A', { kind: 'best_effort', label: 'best effort' }],
    ['sev1', 'B', { kind: 'wall_clock', minutes: 240, label: '4 hours' }],
    ['sev1', 'C', { kind: 'wall_clock', minutes: 240, label: '4 hours' }],
    ['sev2', 'A', { kind: 'best_effort', label: 'best effort' }],
    ['sev2', 'B', { kind: 'wall_clock', minutes: 1440, label: '24 hours' }],
    ['sev2', 'C', { kind: 'wall_clock', minutes: 1440, label: '24 hours' }],
    ['sev3', 'A', { kind: 'none', label: 'no restoration target stated for sev3' }],
    ['sev3', 'B', { kind: 'none', label: 'no restoration target stated for sev3' }],
    ['sev3', 'C', { kind: 'none', label: 'no restoration target stated for sev3' }],
    ['sev4', 'A', { kind: 'none', label: 'no restoration target stated for sev4' }],
    ['sev4', 'B', { kind: 'none', label: 'no restoration target stated for sev4' }],
    ['sev4', 'C', { kind: 'none', label: 'no restoration target stated for sev4' }],
  ])('%s in Mode %s: %o', (severity, mode, target) => {
    expect(SLA_POLICY[severity][mode].restoration).toEqual(target);
  });
});

// Seed 000, "How to declare" table; Sev 4 (not in that table) uses email.
describe('requiredChannels', () => {
  it.each<[Severity, ServiceMode, Channel[]]>([
    ['sev1', 'A', ['slack_teams_connect', 'email']],
    ['sev1', 'B', ['slack_teams_connect', 'email', 'phone_hotline']],
    ['sev1', 'C', ['slack_teams_connect', 'email', 'phone_hotline']],
    ['sev2', 'A', ['slack_teams_connect']],
    ['sev2', 'B', ['slack_teams_connect']],
    ['sev2', 'C', ['slack_teams_connect']],
    ['sev3', 'A', ['email', 'hub_browser_feedback']],
    ['sev3', 'B', ['email', 'hub_browser_feedback']],
    ['sev3', 'C', ['email', 'hub_browser_feedback']],
    ['sev4', 'A', ['email']],
    ['sev4', 'B', ['email']],
    ['sev4', 'C', ['email']],
  ])('%s in Mode %s: %j', (severity, mode, channels) => {
    expect(requiredChannels(severity, mode)).toEqual(channels);
  });

  it('hands out a copy, so a caller cannot change the policy', () => {
    requiredChannels('sev2', 'A').push('phone_hotline');
    expect(requiredChannels('sev2', 'A')).toEqual(['slack_teams_connect']);
  });
});

describe('SLA_POLICY', () => {
  it('updates status every 30 minutes for sev1 and sev2 in every mode, and has no cadence for sev3 and sev4', () => {
    for (const [severity, byMode] of Object.entries(SLA_POLICY)) {
      for (const p of Object.values(byMode)) {
        if (severity === 'sev1' || severity === 'sev2') expect(p.statusUpdate).toEqual({ kind: 'wall_clock', minutes: 30, label: '30 minutes' });
        else expect(p.statusUpdate).toEqual({ kind: 'none', label: `no status-update cadence for ${severity}` });
      }
    }
  });

  it.each<[Severity, ClockTarget['kind']]>([
    ['sev1', 'business_days'],
    ['sev2', 'business_days'],
    ['sev3', 'none'],
    ['sev4', 'none'],
  ])('%s: PIR clock kind %s (5 business days for sev1/sev2)', (severity, kind) => {
    for (const mode of ['A', 'B', 'C'] as const) {
      expect(SLA_POLICY[severity][mode].pirDue.kind).toBe(kind);
      if (kind === 'business_days') expect(SLA_POLICY[severity][mode].pirDue).toEqual({ kind, days: 5, label: '5 business days' });
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(SLA_POLICY)).toBe(true);
    expect(Object.isFrozen(SLA_POLICY.sev1)).toBe(true);
    expect(Object.isFrozen(SLA_POLICY.sev1.B.initialResponse)).toBe(true);
    expect(Object.isFrozen(SLA_POLICY.sev1.B.channels)).toBe(true);
  });
});
