import { hotlineFor, planDeliveries, PlanInput, retryDelayMs, webhookEventType } from './notification-plan';

const base: PlanInput = {
  eventType: 'incident.declared',
  severity: 'sev1',
  mode: 'B',
  slackConnected: true,
  slackThreadExists: false,
  emailedBefore: false,
  pagerDutyConfigured: true,
  pagerDutySeverities: ['sev1', 'sev2'],
  pagedBefore: false,
  webhookEndpoints: [],
};
const channels = (over: Partial<PlanInput>) => planDeliveries({ ...base, ...over }).map((d) => d.pagerDutyAction ?? d.endpointId ?? d.channel);

describe('planDeliveries', () => {
  it('threads to Microsoft Teams beside Slack when both are connected, and keeps an existing Teams thread after a downgrade', () => {
    expect(channels({ teamsConnected: true })).toEqual(['slack', 'teams', 'email', 'trigger']);
    expect(channels({ slackConnected: false, teamsConnected: true, severity: 'sev2' })).toEqual(['teams', 'trigger']);
    expect(channels({ slackConnected: false, teamsConnected: true, severity: 'sev3', eventType: 'incident.status_updated', teamsThreadExists: true })).toEqual([
      'teams',
    ]);
    expect(channels({ slackConnected: false, teamsConnected: true, severity: 'sev3', eventType: 'incident.status_updated' })).toEqual([]);
  });
  it('tells a Mode B Sev1 declaration to Slack, email and PagerDuty (the policy channels plus the on-call)', () => {
    expect(channels({})).toEqual(['slack', 'email', 'trigger']);
  });
  it('keeps a Sev2 to Slack and PagerDuty (no email in the policy)', () => {
    expect(channels({ severity: 'sev2' })).toEqual(['slack', 'trigger']);
  });
  it('sends a Sev3 by email only and does not page', () => {
    expect(channels({ severity: 'sev3' })).toEqual(['email']);
  });
  it('keeps an existing Slack thread after a downgrade to Sev3', () => {
    expect(channels({ severity: 'sev3', eventType: 'incident.status_updated', slackThreadExists: true })).toEqual(['slack']);
  });
  it('emails a downgrade from Sev1 to Sev2 (the contacts heard of the Sev1)', () => {
    expect(channels({ severity: 'sev2', previousSeverity: 'sev1', eventType: 'incident.severity_changed', pagedBefore: true })).toEqual(['slack', 'email']);
  });
  it('emails the resolution of an incident the contacts were emailed about, whatever its severity now', () => {
    expect(channels({ severity: 'sev2', eventType: 'incident.resolved', emailedBefore: true, pagerDutyConfigured: false })).toEqual(['slack', 'email']);
    expect(channels({ severity: 'sev2', eventType: 'incident.resolved', emailedBefore: false, pagerDutyConfigured: false })).toEqual(['slack']);
  });
  it('acknowledges and resolves PagerDuty only after a trigger', () => {
    expect(channels({ eventType: 'incident.acknowledged', pagedBefore: true })).toEqual(['slack', 'acknowledge']);
    expect(channels({ eventType: 'incident.acknowledged', pagedBefore: false })).toEqual(['slack']);
    expect(channels({ eventType: 'incident.resolved', pagedBefore: true })).toEqual(['slack', 'email', 'resolve']);
  });
  it('triggers when an incident is raised into a paged severity', () => {
    expect(channels({ severity: 'sev2', previousSeverity: 'sev3', eventType: 'incident.severity_changed' })).toEqual(['slack', 'email', 'trigger']);
  });
  it('sends nothing to Slack when the tenant has not connected it, nor to PagerDuty without a routing key', () => {
    expect(channels({ slackConnected: false, pagerDutyConfigured: false })).toEqual(['email']);
  });
  it('sends to each enabled endpoint subscribed to the event, status changes as incident.updated', () => {
    const webhookEndpoints = [
      { id: 'a', events: ['incident.updated'] },
      { id: 'b', events: ['incident.declared'] },
    ];
    expect(channels({ eventType: 'incident.status_changed', webhookEndpoints, slackConnected: false })).toEqual(['a']);
    expect(channels({ eventType: 'incident.declared', webhookEndpoints, slackConnected: false, pagerDutyConfigured: false })).toEqual(['email', 'b']);
  });
  it('names status updates incident.updated for webhooks', () => {
    expect(webhookEventType('incident.status_updated')).toBe('incident.updated');
    expect(webhookEventType('sla.breached')).toBe('sla.breached');
  });
});

describe('hotlineFor', () => {
  it('shows the hotline for Mode B and C Sev1 only', () => {
    expect(hotlineFor('sev1', 'B', '+39 02 1234')).toBe('+39 02 1234');
    expect(hotlineFor('sev1', 'C', '+39 02 1234')).toBe('+39 02 1234');
    expect(hotlineFor('sev1', 'A', '+39 02 1234')).toBeNull();
    expect(hotlineFor('sev2', 'B', '+39 02 1234')).toBeNull();
    expect(hotlineFor('sev1', 'B', null)).toBeNull();
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base, caps at six hours, jitters by ±20 %', () => {
    expect(retryDelayMs(1, 30, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(3, 30, () => 0.5)).toBe(120_000);
    expect(retryDelayMs(30, 30, () => 0.5)).toBe(6 * 3600_000);
    expect(retryDelayMs(1, 30, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, 30, () => 1)).toBe(36_000);
  });
  it('spans more than 24 hours over the default 16 attempts', () => {
    let total = 0;
    for (let a = 1; a < 16; a++) total += retryDelayMs(a, 30, () => 0);
    expect(total).toBeGreaterThan(24 * 3600_000);
  });
});
