import type { Channel, ClockTarget, ServiceMode, Severity } from './sla.types';

/** What the vendor commits to for one severity in one service mode. */
export interface SeverityModePolicy {
  /** A human engineer acknowledges in the customer's channel. */
  readonly initialResponse: ClockTarget;
  /** Service restored to nominal SLO. */
  readonly restoration: ClockTarget;
  /** Cadence of status updates while the incident is active. */
  readonly statusUpdate: ClockTarget;
  /** Post-incident review delivered, counted from resolution. */
  readonly pirDue: ClockTarget;
  readonly channels: readonly Channel[];
}

export type SlaPolicy = { readonly [S in Severity]: { readonly [M in ServiceMode]: SeverityModePolicy } };

const minutes = (n: number): ClockTarget => Object.freeze({ kind: 'wall_clock', minutes: n, label: `${n} minutes` });
const hours = (n: number): ClockTarget => Object.freeze({ kind: 'wall_clock', minutes: n * 60, label: n === 1 ? '1 hour' : `${n} hours` });
const businessDays = (n: number): ClockTarget => Object.freeze({ kind: 'business_days', days: n, label: n === 1 ? '1 business day' : `${n} business days` });
const BEST_EFFORT: ClockTarget = Object.freeze({ kind: 'best_effort', label: 'best effort' });
const none = (label: string): ClockTarget => Object.freeze({ kind: 'none', label });

// Seed 000, "During an active incident: status updates posted to status.claresia.com every 30 minutes ... Slack/Teams
// Connect channel gets the same update, threaded". The incidents that channel serves are Sev 1 and Sev 2 (the seed's
// "How to declare" table); Sev 3 (cosmetic) and Sev 4 (a question) are declared by email or the feedback button and
// get no 30-minute cadence: updates are posted when something changes (issue 18, item 7).
const STATUS_EVERY_30 = minutes(30);
const NO_CADENCE = (severity: string) => none(`no status-update cadence for ${severity}`);
// Seed 000, "For every Sev 1 and most Sev 2: within 5 business days of resolution ... a PIR report".
// Sev 2 always gets the clock here; skipping a PIR is a decision people record, not a default.
const PIR_5_BD = businessDays(5);

const SLACK: Channel = 'slack_teams_connect';
const EMAIL: Channel = 'email';
const PHONE: Channel = 'phone_hotline';
const HUB: Channel = 'hub_browser_feedback';

function row(
  initialResponse: ClockTarget,
  restoration: ClockTarget,
  channels: Channel[],
  pirDue: ClockTarget,
  statusUpdate = STATUS_EVERY_30,
): SeverityModePolicy {
  return Object.freeze({ initialResponse, restoration, statusUpdate, pirDue, channels: Object.freeze(channels) });
}

/**
 * The seed's "What Claresia commits to" and "How to declare" tables, one row per severity x mode.
 * Sev 4 channels are not in the seed's channel table; email is the team's choice for questions.
 */
export const SLA_POLICY: SlaPolicy = Object.freeze({
  sev1: Object.freeze({
    A: row(minutes(30), BEST_EFFORT, [SLACK, EMAIL], PIR_5_BD),
    B: row(minutes(15), hours(4), [SLACK, EMAIL, PHONE], PIR_5_BD),
    C: row(minutes(15), hours(4), [SLACK, EMAIL, PHONE], PIR_5_BD),
  }),
  sev2: Object.freeze({
    A: row(hours(4), BEST_EFFORT, [SLACK], PIR_5_BD),
    B: row(hours(1), hours(24), [SLACK], PIR_5_BD),
    C: row(hours(1), hours(24), [SLACK], PIR_5_BD),
  }),
  sev3: Object.freeze({
    A: row(businessDays(1), none('no restoration target stated for sev3'), [EMAIL, HUB], none('no PIR for sev3'), NO_CADENCE('sev3')),
    B: row(businessDays(1), none('no restoration target stated for sev3'), [EMAIL, HUB], none('no PIR for sev3'), NO_CADENCE('sev3')),
    C: row(businessDays(1), none('no restoration target stated for sev3'), [EMAIL, HUB], none('no PIR for sev3'), NO_CADENCE('sev3')),
  }),
  sev4: Object.freeze({
    A: row(businessDays(3), none('no restoration target stated for sev4'), [EMAIL], none('no PIR for sev4'), NO_CADENCE('sev4')),
    B: row(businessDays(1), none('no restoration target stated for sev4'), [EMAIL], none('no PIR for sev4'), NO_CADENCE('sev4')),
    C: row(businessDays(1), none('no restoration target stated for sev4'), [EMAIL], none('no PIR for sev4'), NO_CADENCE('sev4')),
  }),
});

/** The channels a customer must use to declare (Sev 3: either one; both are returned). */
export function requiredChannels(severity: Severity, mode: ServiceMode): Channel[] {
  return [...SLA_POLICY[severity][mode].channels];
}

/** "We will acknowledge within …" for the UI. */
export function responseTarget(severity: Severity, mode: ServiceMode): ClockTarget {
  return { ...SLA_POLICY[severity][mode].initialResponse };
}
