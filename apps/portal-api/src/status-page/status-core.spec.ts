import { maintenanceText, subscriberWants, uptimeHistory, worstState } from './status-core';

describe('status page rules', () => {
  const now = new Date('2026-11-23T12:00:00Z');

  it('counts a full day operational as 100 % and a 6-hour major outage as 75 %', () => {
    const h = uptimeHistory(
      [
        { state: 'operational', at: new Date('2026-01-01T00:00:00Z') },
        { state: 'major_outage', at: new Date('2026-11-22T06:00:00Z') },
        { state: 'operational', at: new Date('2026-11-22T12:00:00Z') },
      ],
      now,
    );
    expect(h.days).toHaveLength(90);
    expect(h.days[89]).toEqual({ date: '2026-11-23', uptime: 1, worst: 'operational' });
    expect(h.days[88]).toEqual({ date: '2026-11-22', uptime: 0.75, worst: 'major_outage' });
    expect(h.days[0].date).toBe('2026-08-26');
    expect(h.overall).toBeLessThan(1);
    expect(h.overall).toBeGreaterThan(0.99);
  });

  it('weighs a partial outage half, and maintenance and degraded not at all', () => {
    const h = uptimeHistory(
      [
        { state: 'partial_outage', at: new Date('2026-11-21T00:00:00Z') },
        { state: 'maintenance', at: new Date('2026-11-22T00:00:00Z') },
        { state: 'degraded', at: new Date('2026-11-23T00:00:00Z') },
      ],
      now,
    );
    expect(h.days[87]).toMatchObject({ date: '2026-11-21', uptime: 0.5, worst: 'partial_outage' });
    expect(h.days[88]).toMatchObject({ uptime: 1, worst: 'maintenance' });
    expect(h.days[89]).toMatchObject({ uptime: 1, worst: 'degraded' });
  });

  it('carries a state entered before the window into it', () => {
    const h = uptimeHistory([{ state: 'major_outage', at: new Date('2026-01-01T00:00:00Z') }], now, 2);
    expect(h.days.map((d) => d.uptime)).toEqual([0, 0]);
  });

  it('orders states from operational to major outage', () => {
    expect(worstState(['degraded', 'major_outage', 'maintenance'])).toBe('major_outage');
    expect(worstState([])).toBe('operational');
  });

  it('fills seed 002’s maintenance template', () => {
    const t = maintenanceText({
      startsAt: new Date('2026-12-01T22:00:00Z'),
      endsAt: new Date('2026-12-01T23:30:00Z'),
      services: ['Hub', 'Telemetry', 'Hub'],
      expectedImpact: 'short reconnects',
    });
    expect(t.title).toBe('Scheduled Maintenance - 1 December 2026');
    expect(t.body).toContain('on 1 December 2026 from 22:00 to 23:30 UTC.');
    expect(t.body).toContain('- Hub\n- Telemetry\n');
    expect(t.body).toContain('Duration: 1 h 30 min');
    expect(t.body).toContain('No action is required from customers.');
  });

  it('matches subscribers by service and region, empty meaning all', () => {
    const c = [{ service: 'Hub', region: 'eu-south-1' }];
    expect(subscriberWants({ services: [], regions: [] }, c)).toBe(true);
    expect(subscriberWants({ services: ['Hub'], regions: ['eu-central-1'] }, c)).toBe(false);
    expect(subscriberWants({ services: ['Identity'], regions: [] }, c)).toBe(false);
    expect(subscriberWants({ services: ['Hub'], regions: ['eu-south-1'] }, c)).toBe(true);
  });
});
