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
  /** False when the vendor is only assisting (Mode C data plane): a breach is then informational. */
  owned: boolean;
  /** The severity whose target this clock measures: the one in force when its current run started. */
  severity: Severity;
}

export interface SlaPause {
  from: Date;
  /** null while the pause is still open. */
  to: Date | null;
}

/** A severity change, as recorded on the incident (a governance event with its reason). */
export interface SeverityChange {
  at: Date;
  from: Severity;
  to: Severity;
}

/** An earlier resolution that was reopened: resolved at `from`, reopened at `to`. */
export interface ResolvedPeriod {
  from: Date;
  to: Date;
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
  /**
   * A support engineer decided this incident gets no PIR ("most Sev 2"): from this instant the PIR clock of the
   * current resolution is not applicable. A waiver before the resolution, or after a delivery, changes nothing.
   */
  pirWaivedAt?: Date | null;
  /** The calendar in force when the incident was declared (a later edit of the tenant calendar does not apply). */
  calendar: BusinessCalendar;
  /** Severity changes in order; `severity` is the last one's `to`. Omitted or empty: `severity` since declaredAt. */
  severityChanges?: SeverityChange[];
  /** Earlier resolutions that were reopened, in order; each pauses the restoration clock. */
  resolvedPeriods?: ResolvedPeriod[];
}

export interface SlaBlock {
  ownership: 'owned' | 'assisting';
  ownershipNote: string | null;
  channels: Channel[];
  clocks: { initialResponse: SlaClock; restoration: SlaClock; statusUpdate: SlaClock; pirDue: SlaClock };
  computedAt: string;
}

/** How a run of a clock ended: its own stop, a severity change that started a new run, a reopen. */
export type ClockRunEnd = 'stop' | 'severity_change' | 'reopen';
/** `superseded`: ended by a severity change or a reopen before it was due (no outcome of its own). */
export type ClockRunOutcome = 'running' | 'paused' | 'met' | 'breached' | 'superseded';

/** One run of a clock under one target: a severity change that changes the target ends it and starts another. */
export interface ClockRun {
  clock: 'initial_response' | 'restoration' | 'pir_due';
  severity: Severity;
  target: ClockTarget;
  startedBy: 'declaration' | 'severity_change' | 'resolution';
  startedAt: string;
  dueAt: string | null;
  endedBy: ClockRunEnd | null;
  endedAt: string | null;
  outcome: ClockRunOutcome;
  /** Past due at the end of the run (or now while it runs); null when not past due. */
  overdueMs: number | null;
  pausedMs: number;
  owned: boolean;
  /** A breach of a clock the vendor does not own (Mode C data plane): recorded for reference, not a vendor breach. */
  informational: boolean;
}

/** A stretch of time the restoration clock did not count. */
export interface ClockPause {
  reason: 'waiting_on_customer' | 'resolved';
  from: string;
  to: string | null;
}

/** The clock history of an incident: every run of the committed clocks, and the pauses. Oldest first. */
export interface ClockHistory {
  runs: ClockRun[];
  pauses: ClockPause[];
}
