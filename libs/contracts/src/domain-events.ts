import type { IncidentStatus, Role, Severity, StatusUpdateState } from './incident';

/**
 * Every change the portal records, as one typed union. A state change emits its event once, in the
 * transaction that makes the change: the event is the governance row (the audit trail) and, for each
 * subscriber of its type, an outbox delivery (clocks, notifications, status page, webhooks, PIR reminders).
 * Names are `<aggregate>.<past tense>`; a payload never carries a secret or evidence content.
 */
export interface DomainEventPayloads {
  'incident.declared': {
    reference: string;
    severity: Severity;
    services: string[];
    regions: string[];
    plane: string | null;
    redactions: { field: string; rule: string; count: number }[];
  };
  'incident.acknowledged': { reference: string; responseMinutes: number };
  /** A status update was posted to the customer (the seed's 30-minute cadence). */
  'incident.status_updated': { reference: string; state: StatusUpdateState; from: IncidentStatus; statusUpdateId: string };
  /** The status moved without a posted update (e.g. waiting on the customer). `reason` is what the vendor needs. */
  'incident.status_changed': { reference: string; from: IncidentStatus; to: IncidentStatus; reason?: string };
  /** `reason` is required since the SLA history (older rows may lack it); `restarted`: clocks that started a new run at the change. */
  'incident.severity_changed': { reference: string; from: Severity; to: Severity; reason?: string; restarted?: string[] };
  'incident.impact_changed': { reference: string; from: number; to: number; reason?: string };
  'incident.customer_replied': { reference: string; replyId: string; resumed: boolean; redactions: { rule: string; count: number }[] };
  'incident.resolved': { reference: string; from: IncidentStatus };
  'incident.reopened': { reference: string; reason: string; previouslyResolvedAt: string | null };
  'incident.closed': { reference: string };
  /** A running clock is close to its due time (a share of its target is left). */
  'sla.warning': { reference: string; clock: string; dueAt: string; minutesLeft: number; owned: boolean };
  /** `informational`: a clock the vendor does not own (Mode C data plane); `severity`: whose target was breached. */
  'sla.breached': { reference: string; clock: string; dueAt: string; owned: boolean; informational?: boolean; severity?: Severity };
  'evidence.uploaded': { kind: string; displayName: string; sizeBytes: number; sha256: string; gzip: boolean; redacted: number; redactions: string };
  'evidence.downloaded': { kind: string; displayName: string; sha256: string };
  'evidence.deleted': {
    reason: 'deleted' | 'retention';
    kind: string;
    displayName: string;
    sha256: string;
    retentionDays?: number;
    incidentClosedAt?: string | null;
  };
  'tenant.created': { slug: string; serviceMode: string; timezone: string };
  'tenant.contacts_updated': { count: number };
  'tenant.calendar_updated': { workingDays: number[]; dayStart: string; dayEnd: string; holidays: number };
  'tenant.csm_assigned': { email: string };
  'tenant.csm_unassigned': { email: string };
  'api_token.created': { name: string; role: Role };
  'api_token.revoked': { name: string };
  'auth.sign_in': { method: string; role: string; idpId?: string; idpName?: string; account?: string; matchedValues?: string[] };
  'auth.sign_in_failed': { method: string; code: string; reason: string; realm: string; correlationId: string | null; [extra: string]: unknown };
  'auth.sign_out': Record<string, never>;
  'sso.idp_created': { kind: string; displayName: string; enabled: boolean; secretSet: boolean; roleMapping: unknown };
  'sso.idp_updated': { kind: string; displayName: string; enabled: boolean; changed: string[]; secretChanged: boolean };
  'sso.idp_deleted': { kind: string; displayName: string };
  /**
   * A customer admin linked an existing account to an identity provider: bound at once to the subject the admin
   * named (`mode: 'subject'`), or authorised for the provider's next sign-in that vouches for the account's email
   * (`mode: 'next_verified_sign_in'`, until `expiresAt`). A sign-in never links an existing account by itself.
   */
  'sso.account_linked': {
    idpId: string;
    kind: string;
    displayName: string;
    email: string;
    mode: 'subject' | 'next_verified_sign_in';
    subject: string | null;
    previousIdpId: string | null;
    expiresAt: string | null;
  };
  // post-incident reviews (issue 15)
  'pir.created': { reference: string; version: number; prefilled: { timeline: number; actionItems: number } };
  'pir.updated': { reference: string; version: number; sections: string[]; actionItems: number };
  'pir.submitted': { reference: string; version: number };
  'pir.returned_to_draft': { reference: string; version: number; reason?: string };
  'pir.published': { reference: string; version: number; deliveredAt: string; onTime: boolean | null };
  'pir.waived': { reference: string; version: number; reason: string };
  'pir.action_item_updated': { reference: string; version: number; actionItemId: string; from: string; to: string };
  'pir.rendered': { reference: string; version: number; sha256: string; sizeBytes: number; pages: number | null };
  'pir.downloaded': { reference: string; version: number; sha256: string };
}

export type DomainEventType = keyof DomainEventPayloads;

export type SubjectType = 'incident' | 'status_update' | 'customer_reply' | 'attachment' | 'tenant' | 'staff' | 'user' | 'api_token' | 'idp_config' | 'pir';

interface CatalogueEntry {
  /** What the event is about; the governance row's subject type. */
  subject: SubjectType | 'principal';
  /** Past-tense phrase after the actor's name in the audit trail ("Sam acknowledged the incident"). */
  label: string;
}

/** The catalogue: one entry per event type (the compiler refuses a missing or an extra one). */
export const DOMAIN_EVENTS = {
  'incident.declared': { subject: 'incident', label: 'declared the incident' },
  'incident.acknowledged': { subject: 'incident', label: 'acknowledged the incident' },
  'incident.status_updated': { subject: 'status_update', label: 'posted a status update' },
  'incident.status_changed': { subject: 'incident', label: 'changed the status' },
  'incident.severity_changed': { subject: 'incident', label: 'changed the severity' },
  'incident.impact_changed': { subject: 'incident', label: 'updated the number of impacted users' },
  'incident.customer_replied': { subject: 'customer_reply', label: 'replied' },
  'incident.resolved': { subject: 'incident', label: 'resolved the incident' },
  'incident.reopened': { subject: 'incident', label: 'reopened the incident' },
  'incident.closed': { subject: 'incident', label: 'closed the incident' },
  'sla.warning': { subject: 'incident', label: 'warned that an SLA clock is about to run out' },
  'sla.breached': { subject: 'incident', label: 'recorded an SLA breach' },
  'evidence.uploaded': { subject: 'attachment', label: 'uploaded evidence' },
  'evidence.downloaded': { subject: 'attachment', label: 'downloaded evidence' },
  'evidence.deleted': { subject: 'attachment', label: 'deleted evidence' },
  'tenant.created': { subject: 'tenant', label: 'created the tenant' },
  'tenant.contacts_updated': { subject: 'tenant', label: 'updated the incident contacts' },
  'tenant.calendar_updated': { subject: 'tenant', label: 'updated the business calendar' },
  'tenant.csm_assigned': { subject: 'staff', label: 'assigned a customer success manager' },
  'tenant.csm_unassigned': { subject: 'staff', label: 'removed a customer success manager' },
  'api_token.created': { subject: 'api_token', label: 'created an API token' },
  'api_token.revoked': { subject: 'api_token', label: 'revoked an API token' },
  'auth.sign_in': { subject: 'principal', label: 'signed in' },
  'auth.sign_in_failed': { subject: 'idp_config', label: 'failed to sign in' },
  'auth.sign_out': { subject: 'principal', label: 'signed out' },
  'sso.idp_created': { subject: 'idp_config', label: 'added an identity provider' },
  'sso.idp_updated': { subject: 'idp_config', label: 'changed an identity provider' },
  'sso.idp_deleted': { subject: 'idp_config', label: 'removed an identity provider' },
  'sso.account_linked': { subject: 'user', label: 'linked an account to an identity provider' },
  // post-incident reviews (issue 15)
  'pir.created': { subject: 'pir', label: 'started the post-incident review' },
  'pir.updated': { subject: 'pir', label: 'edited the post-incident review' },
  'pir.submitted': { subject: 'pir', label: 'sent the post-incident review for review' },
  'pir.returned_to_draft': { subject: 'pir', label: 'returned the post-incident review to draft' },
  'pir.published': { subject: 'pir', label: 'published the post-incident review' },
  'pir.waived': { subject: 'pir', label: 'waived the post-incident review' },
  'pir.action_item_updated': { subject: 'pir', label: 'updated a PIR action item' },
  'pir.rendered': { subject: 'pir', label: 'rendered the post-incident review PDF' },
  'pir.downloaded': { subject: 'pir', label: 'downloaded the post-incident review PDF' },
} as const satisfies { [T in DomainEventType]: CatalogueEntry };

export const DOMAIN_EVENT_TYPES = Object.keys(DOMAIN_EVENTS) as DomainEventType[];

export const isDomainEventType = (s: string): s is DomainEventType => Object.prototype.hasOwnProperty.call(DOMAIN_EVENTS, s);

/** Actions recorded before the events were typed; kept so old audit rows still read well. */
const LEGACY_LABELS: Record<string, string> = {
  'incident.updated': 'changed the incident',
  'incident.status_update_posted': 'posted a status update',
};

/** The audit trail's wording for an action (the web and exports use this one list). */
export function governanceActionLabel(action: string): string {
  if (isDomainEventType(action)) return DOMAIN_EVENTS[action].label;
  return LEGACY_LABELS[action] ?? action.replace(/[._]/g, ' ');
}

/** An event as subscribers receive it: what happened, to whom, in which tenant, by whom. */
export interface DomainEventEnvelope<T extends DomainEventType = DomainEventType> {
  type: T;
  /** The governance row's id: unique per event, so a redelivered event is recognisable. */
  eventId: string;
  tenantId: string;
  occurredAt: string;
  subjectId: string | null;
  incidentId: string | null;
  actor: { kind: string; id: string; label: string };
  payload: DomainEventPayloads[T];
}
