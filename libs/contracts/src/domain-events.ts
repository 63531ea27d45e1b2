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
    /** h6-web-outage (issue 18): declared through the quick path; the rest of the intake follows. */
    quick?: boolean;
  };
  'incident.acknowledged': { reference: string; responseMinutes: number };
  /** A status update was posted to the customer (the seed's 30-minute cadence). */
  'incident.status_updated': { reference: string; state: StatusUpdateState; from: IncidentStatus; statusUpdateId: string };
  /** The status moved without a posted update (e.g. waiting on the customer). `reason` is what the vendor needs. */
  'incident.status_changed': { reference: string; from: IncidentStatus; to: IncidentStatus; reason?: string; questionId?: string };
  /** `reason` is required since the SLA history (older rows may lack it); `restarted`: clocks that started a new run at the change. */
  'incident.severity_changed': { reference: string; from: Severity; to: Severity; reason?: string; restarted?: string[] };
  /** `from` is null when a quick declaration had no count yet. */
  'incident.impact_changed': { reference: string; from: number | null; to: number; reason?: string };
  /** `questionId`: the vendor's question this reply answers (issue 18), when it answers one. */
  'incident.customer_replied': { reference: string; replyId: string; resumed: boolean; redactions: { rule: string; count: number }[]; questionId?: string };
  'incident.resolved': { reference: string; from: IncidentStatus };
  'incident.reopened': { reference: string; reason: string; previouslyResolvedAt: string | null };
  'incident.closed': { reference: string };
  /** h6-web-outage (issue 18): part of a quick declaration's missing intake was given; `missing`: what is still to give. */
  'incident.intake_completed': { reference: string; fields: string[]; missing: string[]; redactions: { field: string; rule: string; count: number }[] };
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
  // ---- incident communications (issue 14, part A) ----
  /** A customer admin connected (or replaced) the tenant's Slack app; the token itself is never in the event. */
  'notification.slack_connected': { channelId: string; replaced: boolean };
  'notification.slack_disconnected': { channelId: string };
  'webhook.endpoint_created': { url: string; events: string[] };
  'webhook.endpoint_updated': { url: string; changed: string[]; enabled: boolean };
  'webhook.endpoint_deleted': { url: string };
  /** The portal disabled an endpoint after `failures` failed deliveries in a row; its owners were told. */
  'webhook.endpoint_disabled': { url: string; failures: number; notified: number };
  // ---- Microsoft Teams (issue 14, part C) ----
  /** A customer admin connected (or replaced) the tenant's Teams app; the client secret is never in the event. */
  'notification.teams_connected': { teamId: string; channelId: string; clientId: string; replaced: boolean };
  'notification.teams_disconnected': { teamId: string; channelId: string };
  // --- vendor notification settings (lead) ---
  'notification.vendor_settings_changed': {
    escalationSteps: number;
    pagerDutySeverities: string[];
    pagerDutyKey: 'unchanged' | 'set' | 'removed';
  };
  'notification.vendor_settings_reset': Record<string, never>;
  // --- end vendor notification settings ---
  /** A delivery was given up after its last attempt (or its endpoint was disabled). */
  'notification.delivery_failed': { channel: string; eventType: string; attempts: number; error: string };
  'notification.retry_requested': { channel: string; eventType: string; deliveryId: string };
  // status page (issue 14 part B): vendor-wide, recorded with no tenant
  'status_page.component_changed': { service: string; region: string; from: string; to: string; reason?: string; postId?: string };
  'status_page.incident_posted': {
    kind: 'incident' | 'maintenance';
    title: string;
    status: string;
    impact: string;
    components: string[];
    linkedIncidentId: string | null;
    linkedTenantId: string | null;
  };
  'status_page.update_posted': { postId: string; kind: 'incident' | 'maintenance'; status: string };
  'status_page.subscription_created': { channel: string; services: string[]; regions: string[] };
  'status_page.subscription_confirmed': { channel: string };
  'status_page.subscription_removed': { channel: string; how: 'one_click' | 'page' };
  // credential-health digest (issue 14 part B): tenant events (a tenant webhook may forward them)
  'credentials.digest_subscribed': { email: string };
  'credentials.digest_unsubscribed': { email: string };
  'credentials.digest_sent': { email: string; credentials: number; expiring: number; expired: number };
  'credentials.expiring': { key: string; kind: string; name: string; expiresAt: string; daysLeft: number; thresholdDays: number };
  // BYOC data plane (issue 16b)
  /** A short-lived grant to upload to or download from the tenant's data plane (the read itself is `evidence.downloaded`). */
  'evidence.grant_issued': { operation: 'upload' | 'download'; attachmentId: string; expiresAt: string };
  /** The tenant's data plane changed health (from its heartbeats over the mTLS link). */
  'data_plane.health_changed': { from: 'unknown' | 'healthy' | 'failing'; to: 'healthy' | 'failing'; failing: string[]; publicUrl: string | null };
  /** A step of the vendor's escalation ladder fired (seed 003, 5.1): the incident was still unacknowledged / open. */
  'incident.escalated': { reference: string; severity: string; step: number; condition: 'unacknowledged' | 'open'; afterMinutes: number; target: string };
  /** A status update is due soon and none was posted since the last one: the assigned engineer was reminded. */
  'incident.status_update_reminder': { reference: string; dueAt: string; engineer: string | null; emailed: boolean };
  /** A quick declaration's intake is still incomplete half-way to the response target: its admins were asked for the rest. */
  'incident.intake_chased': { reference: string; missing: string[]; responseDueAt: string | null; emailed: string[] };
  // post-incident reviews (issue 15)
  'pir.created': { reference: string; version: number; prefilled: { timeline: number; actionItems: number } };
  'pir.updated': { reference: string; version: number; sections: string[]; actionItems: number };
  'pir.submitted': { reference: string; version: number };
  'pir.returned_to_draft': { reference: string; version: number; reason?: string };
  /**
   * `summary`: the review's summary (plain Markdown, at most 600 characters) and `links` (the review, its PDF), so the
   * incident's chat thread and the tenant's webhooks can announce it without reading the review (older rows lack both).
   */
  'pir.published': {
    reference: string;
    version: number;
    deliveredAt: string;
    onTime: boolean | null;
    summary?: string;
    links?: { pir: string; pdf: string };
  };
  'pir.waived': { reference: string; version: number; reason: string };
  'pir.action_item_updated': { reference: string; version: number; actionItemId: string; from: string; to: string };
  'pir.rendered': { reference: string; version: number; sha256: string; sizeBytes: number; pages: number | null };
  'pir.downloaded': { reference: string; version: number; sha256: string };
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  'walkthrough.booked': { reference: string; startsAt: string; endsAt: string; csm: string; attendee: string; uid: string; sequence: number };
  'walkthrough.rescheduled': { reference: string; from: string; startsAt: string; endsAt: string; uid: string; sequence: number };
  'walkthrough.cancelled': { reference: string; startsAt: string; uid: string; sequence: number };
  'walkthrough.invite_sent': { reference: string; method: 'REQUEST' | 'CANCEL'; uid: string; sequence: number; to: string };
  /** A CSM changed the hours they take walkthroughs in (no tenant: the CSM's own setting). */
  'walkthrough.working_hours_updated': { timeZone: string; workingDays: number[]; dayStart: string; dayEnd: string };
  // ---- h2b-pir-publish: the tenant's Hub endpoint (issue 15) ----
  /** A customer admin connected (or replaced) the tenant's Hub endpoint; the signing secret is never in the event. */
  'notification.hub_connected': { url: string; replaced: boolean };
  'notification.hub_disconnected': { url: string };
}

export type DomainEventType = keyof DomainEventPayloads;

/** Subjects of the incident-communications events (issue 14, part A). */
export type NotificationSubjectType = 'notification_connection' | 'webhook_endpoint' | 'notification_delivery' | 'vendor_notification_settings';
export type SubjectType =
  | 'incident'
  | 'status_update'
  | 'customer_reply'
  | 'attachment'
  | 'tenant'
  | 'staff'
  | 'user'
  | 'api_token'
  | 'idp_config'
  | 'status_component'
  | 'status_post'
  | 'status_subscriber'
  | 'credential_digest'
  // BYOC data plane (issue 16b)
  | 'data_plane'
  // post-incident reviews (issue 15)
  | 'pir'
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  | 'walkthrough';

interface CatalogueEntry {
  /** What the event is about; the governance row's subject type. */
  subject: SubjectType | NotificationSubjectType | 'principal';
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
  // h6-web-outage (issue 18): quick declaration
  'incident.intake_completed': { subject: 'incident', label: 'added missing intake details' },
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
  // incident communications (issue 14, part A)
  'notification.slack_connected': { subject: 'notification_connection', label: 'connected Slack' },
  'notification.slack_disconnected': { subject: 'notification_connection', label: 'disconnected Slack' },
  'webhook.endpoint_created': { subject: 'webhook_endpoint', label: 'added a webhook endpoint' },
  'webhook.endpoint_updated': { subject: 'webhook_endpoint', label: 'changed a webhook endpoint' },
  'webhook.endpoint_deleted': { subject: 'webhook_endpoint', label: 'removed a webhook endpoint' },
  'webhook.endpoint_disabled': { subject: 'webhook_endpoint', label: 'disabled a failing webhook endpoint' },
  'notification.delivery_failed': { subject: 'notification_delivery', label: 'gave up a notification delivery' },
  'notification.retry_requested': { subject: 'notification_delivery', label: 'retried a notification delivery' },
  // Microsoft Teams (issue 14, part C)
  'notification.teams_connected': { subject: 'notification_connection', label: 'connected Microsoft Teams' },
  'notification.teams_disconnected': { subject: 'notification_connection', label: 'disconnected Microsoft Teams' },
  // --- vendor notification settings (lead) ---
  'notification.vendor_settings_changed': { subject: 'vendor_notification_settings', label: 'changed the escalation and paging settings' },
  'notification.vendor_settings_reset': {
    subject: 'vendor_notification_settings',
    label: 'reset the escalation and paging settings to the deployment defaults',
  },
  // --- end vendor notification settings ---
  // status page (issue 14 part B)
  'status_page.component_changed': { subject: 'status_component', label: 'changed a status-page component' },
  'status_page.incident_posted': { subject: 'status_post', label: 'posted on the public status page' },
  'status_page.update_posted': { subject: 'status_post', label: 'posted a public status update' },
  'status_page.subscription_created': { subject: 'status_subscriber', label: 'subscribed to the status page' },
  'status_page.subscription_confirmed': { subject: 'status_subscriber', label: 'confirmed a status-page subscription' },
  'status_page.subscription_removed': { subject: 'status_subscriber', label: 'unsubscribed from the status page' },
  'credentials.digest_subscribed': { subject: 'credential_digest', label: 'subscribed to the credential-health digest' },
  'credentials.digest_unsubscribed': { subject: 'credential_digest', label: 'unsubscribed from the credential-health digest' },
  'credentials.digest_sent': { subject: 'credential_digest', label: 'sent the credential-health digest' },
  'credentials.expiring': { subject: 'credential_digest', label: 'warned that a credential expires soon' },
  // BYOC data plane (issue 16b)
  'evidence.grant_issued': { subject: 'attachment', label: 'was granted access to evidence in the data plane' },
  'data_plane.health_changed': { subject: 'data_plane', label: 'reported a change of data-plane health' },
  'incident.escalated': { subject: 'incident', label: 'escalated the incident' },
  'incident.status_update_reminder': { subject: 'incident', label: 'reminded the engineer that a status update is due' },
  'incident.intake_chased': { subject: 'incident', label: 'asked for the details still missing from the quick declaration' },
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
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  'walkthrough.booked': { subject: 'walkthrough', label: 'booked a PIR walkthrough with the CSM' },
  'walkthrough.rescheduled': { subject: 'walkthrough', label: 'rescheduled the PIR walkthrough' },
  'walkthrough.cancelled': { subject: 'walkthrough', label: 'cancelled the PIR walkthrough' },
  'walkthrough.invite_sent': { subject: 'walkthrough', label: 'sent the walkthrough calendar invite' },
  'walkthrough.working_hours_updated': { subject: 'staff', label: 'changed their walkthrough working hours' },
  // h2b-pir-publish: the tenant's Hub endpoint (issue 15)
  'notification.hub_connected': { subject: 'notification_connection', label: 'connected the Hub' },
  'notification.hub_disconnected': { subject: 'notification_connection', label: 'disconnected the Hub' },
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
