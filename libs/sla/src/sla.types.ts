/** The vocabulary of the SLA clocks (seed 000, "What Claresia commits to"). */

export type ServiceMode = 'A' | 'B' | 'C';
export type Severity = 'sev1' | 'sev2' | 'sev3' | 'sev4';
export type IncidentPlane = 'data_plane' | 'control_plane' | 'not_sure';
export type IncidentStatus = 'declared' | 'acknowledged' | 'investigating' | 'identified' | 'monitoring' | 'waiting_on_customer' | 'resolved' | 'closed';
export type Channel = 'slack_teams_connect' | 'email' | 'phone_hotline' | 'hub_browser_feedback';

export interface BusinessCalendar {
  /** IANA zone, e.g. 'Europe/Rome'. */
  timezone: string;
  /** ISO weekdays, 1 = Monday .. 7 = Sunday. */
  workingDays: number[];
  /** 'HH:mm' local wall-clock time. */
  dayStart: string;
  /** 'HH:mm' local wall-clock time, after dayStart on the same day. */
  dayEnd: string;
  /** 'YYYY-MM-DD' local dates that are not business days. */
  holidays: string[];
}

export type ClockTarget =
  | { kind: 'wall_clock'; minutes: number; label: string }
  | { kind: 'business_days'; days: number; label: string }
  | { kind: 'best_effort'; label: 'best effort' }
  | { kind: 'none'; label: string };

export type ClockState = 'running' | 'met' | 'breached' | 'paused' | 'not_applicable';
export type ClockKind = 'initial_response' | 'restoration' | 'status_update' | 'pir_due';

export interface SlaClock {
  kind: ClockKind;
  target: ClockTarget;
  /** ISO instant the clock counts from; null when the clock does not apply (yet). */
  startedAt: string | null;
  /** ISO instant; null for best_effort / none / not yet started. */
  dueAt: string | null;
  state: ClockState;
  /** When the clock stopped: acknowledgement, resolution, PIR delivered. */
  stoppedAt: string | null;
  /** Time left before due (0 once due has passed); measured at stoppedAt for stopped clocks; null without dueAt. */
  remainingMs: number | null;
  /** Time past due (> 0), measured at stoppedAt for stopped clocks; null when not past due. */
  overdueMs: number | null;
  /** Total waiting_on_customer time applied (restoration only, else 0). */
  pausedMs: number;
  /** False when the vendor is only assisting (Mode C data plane). */
  owned: boolean;
}

export interface SlaPause {
  from: Date;
  /** null while the pause is still open. */
  to: Date | null;
}

export interface SlaInput {
  mode: ServiceMode;
  severity: Severity;
  plane: IncidentPlane | null;
  status: IncidentStatus;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  /** waiting_on_customer intervals. */
  pauses: SlaPause[];
  lastStatusUpdateAt: Date | null;
  pirDeliveredAt: Date | null;
  calendar: BusinessCalendar;
}

export interface SlaBlock {
  ownership: 'owned' | 'assisting';
  ownershipNote: string | null;
  channels: Channel[];
  clocks: { initialResponse: SlaClock; restoration: SlaClock; statusUpdate: SlaClock; pirDue: SlaClock };
  computedAt: string;
}
