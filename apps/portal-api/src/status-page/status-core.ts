import { DateTime } from 'luxon';
import { COMPONENT_STATES, type ComponentState } from '@portal/contracts';

/**
 * Pure rules of the status page (no Nest, no database): uptime from state changes, the worst state,
 * the maintenance template of seed 002, and the subscriber filter.
 */

/** Share of an interval counted as down, per state: maintenance is announced and degraded still works. */
const DOWNTIME_WEIGHT: Record<ComponentState, number> = { operational: 0, maintenance: 0, degraded: 0, partial_outage: 0.5, major_outage: 1 };

export const worstState = (states: ComponentState[]): ComponentState =>
  states.reduce<ComponentState>((w, s) => (COMPONENT_STATES.indexOf(s) > COMPONENT_STATES.indexOf(w) ? s : w), 'operational');

export interface StateChange {
  state: ComponentState;
  at: Date;
}

export interface UptimeDay {
  date: string;
  uptime: number;
  worst: ComponentState;
}

/**
 * One entry per UTC day for the `days` days ending today (oldest first). Before the first known change the
 * component counts as operational; today is measured up to `now`.
 */
export function uptimeHistory(changes: StateChange[], now: Date, days = 90): { days: UptimeDay[]; overall: number } {
  const sorted = [...changes].sort((a, b) => a.at.getTime() - b.at.getTime());
  const today = DateTime.fromJSDate(now, { zone: 'utc' }).startOf('day');
  const out: UptimeDay[] = [];
  let downMs = 0;
  let totalMs = 0;
  for (let i = days - 1; i >= 0; i--) {
    const start = today.minus({ days: i });
    const from = start.toMillis();
    const to = Math.min(start.plus({ days: 1 }).toMillis(), now.getTime());
    let state: ComponentState = 'operational';
    for (const c of sorted) if (c.at.getTime() <= from) state = c.state;
    let cursor = from;
    let down = 0;
    let worst: ComponentState = state;
    for (const c of sorted) {
      const t = c.at.getTime();
      if (t <= from || t >= to) continue;
      down += (t - cursor) * DOWNTIME_WEIGHT[state];
      cursor = t;
      state = c.state;
      worst = worstState([worst, state]);
    }
    down += Math.max(0, to - cursor) * DOWNTIME_WEIGHT[state];
    const span = Math.max(0, to - from);
    downMs += down;
    totalMs += span;
    out.push({ date: start.toISODate()!, uptime: span === 0 ? 1 : round4(1 - down / span), worst });
  }
  return { days: out, overall: totalMs === 0 ? 1 : round4(1 - downMs / totalMs) };
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** Seed 002, "Scheduled Maintenance": the title and body staff would otherwise type by hand. */
export function maintenanceText(m: { startsAt: Date; endsAt: Date; services: string[]; expectedImpact: string }): { title: string; body: string } {
  const start = DateTime.fromJSDate(m.startsAt, { zone: 'utc' });
  const end = DateTime.fromJSDate(m.endsAt, { zone: 'utc' });
  const date = start.toFormat('d LLLL yyyy');
  const minutes = Math.round(end.diff(start, 'minutes').minutes);
  const duration = minutes >= 60 ? `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}` : `${minutes} min`;
  const body = [
    `We will be performing scheduled maintenance on ${date} from ${start.toFormat('HH:mm')} to ${end.toFormat('HH:mm')} UTC${
      end.hasSame(start, 'day') ? '' : ` (${end.toFormat('d LLLL yyyy')})`
    }.`,
    '',
    'During this window, the following services may be briefly unavailable:',
    ...[...new Set(m.services)].map((s) => `- ${s}`),
    '',
    `Expected impact: ${m.expectedImpact}`,
    `Duration: ${duration}`,
    '',
    'We recommend completing any active work before the maintenance window.',
    'No action is required from customers.',
  ].join('\n');
  return { title: `Scheduled Maintenance - ${date}`, body };
}

/** A subscriber hears about a post when a component of it matches the subscriber's services and regions (empty = all). */
export function subscriberWants(filter: { services: string[]; regions: string[] }, components: { service: string; region: string }[]): boolean {
  return components.some(
    (c) => (filter.services.length === 0 || filter.services.includes(c.service)) && (filter.regions.length === 0 || filter.regions.includes(c.region)),
  );
}
