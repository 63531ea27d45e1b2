import type { IncidentContact } from './tenant';
import type {
  DeferrableIntakeField,
  IncidentStatus,
  Plane,
  RecentChangeKind,
  Role,
  ServiceMode,
  ServiceName,
  Severity,
  StatusUpdateState,
  TenantRole,
} from './incident';
import type { BusinessCalendar, Channel, ClockHistory, ClockKind, ClockTarget, SlaBlock } from '@portal/sla';

/*
 * Response shapes of portal-api, shared by the API (which is type-checked against them) and the web app.
 */

export interface ActorRef {
  kind: string;
  id: string;
  label: string;
}

export interface Region {
  code: string;
  name: string;
}

export interface TenantSummary {
  id: string;
  slug: string;
  displayName: string;
  serviceMode: ServiceMode;
  timezone: string;
}

export interface TenantView extends TenantSummary {
  calendar: BusinessCalendar;
  regions: Region[];
  contacts: IncidentContact[];
  country: string | null;
  slaPolicy: { severity: Severity; initialResponse: ClockTarget; channels: Channel[] }[];
}

export interface Principal {
  kind: 'user' | 'staff' | 'api_token';
  id: string;
  label: string;
  role: Role;
  via: 'session' | 'api_token';
}

export interface Me {
  principal: Principal;
  tenant: TenantView | null;
  tenants: TenantSummary[];
  csrfToken: string | null;
  /** Where to turn when the portal itself struggles, per deployment (HOTLINE_NUMBER, SUPPORT_EMAIL). */
  support: { email: string; hotline: string | null };
}

export interface SignInProvider {
  id: string;
  /** 'saml', 'oidc' or 'entra' today; typed string so that a client keeps working when a protocol is added. */
  kind: string;
  displayName: string;
  startUrl: string;
}

export interface SignInOptions {
  tenant: { slug: string; displayName: string };
  devLogin: boolean;
  providers: SignInProvider[];
}

export interface IntakeRedaction {
  field: string;
  rule: string;
  count: number;
}

export interface Incident {
  id: string;
  reference: string;
  number: number;
  tenant: { id: string; slug: string; displayName: string };
  title: string;
  severity: Severity;
  status: IncidentStatus;
  services: ServiceName[];
  regions: string[];
  /** Null (with firstNoticedAt, symptoms, recentChanges, reproductionConfirmed) only while a quick declaration's intake is missing. */
  impactedUsers: number | null;
  firstNoticedAt: string | null;
  firstNoticedTimezone: string | null;
  symptoms: string | null;
  recentChanges: { kinds: RecentChangeKind[]; details?: string } | null;
  errorCodes: string[];
  reproductionConfirmed: boolean | null;
  impactedUserExamples: string[];
  plane: Plane | null;
  serviceMode: ServiceMode;
  declaredAt: string;
  declaredBy: ActorRef;
  acknowledgedAt: string | null;
  acknowledgedBy: ActorRef | null;
  resolvedAt: string | null;
  resolutionSummary: string | null;
  closedAt: string | null;
  lastStatusUpdateAt: string | null;
  intakeRedactions: IntakeRedaction[];
  /** h6-web-outage (issue 18): 'quick' when declared through the short path. */
  intake: 'full' | 'quick';
  /** The intake still to give (a quick declaration), required within the response target; empty when complete. */
  missingIntakeFields: DeferrableIntakeField[];
  sla: SlaBlock;
  /** h2b-pir-publish: where the incident's post-incident review stands (the incident list's badge and filter). */
  pir: IncidentPirDue;
}

/**
 * The review an incident owes: `due` (owed, on time; `businessDaysLeft` in the incident's calendar, rounded up),
 * `overdue` (owed, past `dueAt`), `delivered` (published), `waived`, or `none` (no review is owed: not resolved yet,
 * or a severity without one).
 */
export interface IncidentPirDue {
  state: 'due' | 'overdue' | 'delivered' | 'waived' | 'none';
  dueAt: string | null;
  businessDaysLeft: number | null;
}

export interface StatusUpdate {
  id: string;
  state: StatusUpdateState;
  body: string;
  author: string;
  createdAt: string;
}

export interface CustomerReply {
  id: string;
  body: string;
  author: string;
  createdAt: string;
  /** The vendor's question this reply answers, if any. */
  questionId: string | null;
}

/** What the vendor needs from the customer, asked when it starts waiting on them (issue 18). */
export interface CustomerQuestion {
  id: string;
  body: string;
  askedBy: string;
  askedAt: string;
  /** open: the vendor waits on the answer; answered: a reply answered it; withdrawn: the vendor moved on without one. */
  state: 'open' | 'answered' | 'withdrawn';
  closedAt: string | null;
}

export interface ImpactedCount {
  count: number;
  recordedAt: string;
  recordedBy: string;
}

/** A severity change as recorded on the incident: when, who, why (the reason is required). */
export interface SeverityChangeRecord {
  at: string;
  from: Severity;
  to: Severity;
  reason: string;
  by: ActorRef;
}

/** A breach as recorded when it happened (sla_breaches): it stays whatever changes later. */
export interface SlaBreachRecord {
  clock: ClockKind;
  dueAt: string;
  detectedAt: string;
  /** The severity whose target was breached; null for breaches recorded before it was kept. */
  severity: Severity | null;
  /** False for a clock the vendor does not own (Mode C data plane). */
  owned: boolean;
  /** True when not owned: recorded for reference, not a vendor breach. */
  informational: boolean;
}

export interface IncidentDetail extends Incident {
  statusUpdates: StatusUpdate[];
  impactedUserHistory: ImpactedCount[];
  customerReplies: CustomerReply[];
  customerQuestions: CustomerQuestion[];
  /** Every run of the committed clocks (a severity change that changes a target starts a new run) and the pauses. */
  clockHistory: ClockHistory;
  severityChanges: SeverityChangeRecord[];
  slaBreaches: SlaBreachRecord[];
}

export interface IncidentPage {
  items: Incident[];
  nextCursor: string | null;
}

export interface GovernanceEvent {
  id: string;
  occurredAt: string;
  actor: ActorRef;
  action: string;
  subjectType: string;
  subjectId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface ApiToken {
  id: string;
  name: string;
  role: TenantRole;
  displayPrefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
