import { z } from 'zod';

/*
 * Incident communications (issue 14, part A): the tenant's outbound channels and the delivery record.
 */

/** The event names a tenant's signed webhooks can subscribe to (Standard Webhooks `type`). */
export const WEBHOOK_EVENT_TYPES = [
  'incident.declared',
  'incident.acknowledged',
  'incident.updated',
  'incident.severity_changed',
  'incident.resolved',
  'incident.reopened',
  'sla.warning',
  'sla.breached',
  // post-incident reviews (issue 15): a review was published (summary and links to the review and its PDF)
  'pir.published',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** `hub`: the tenant's Hub endpoint, which receives the PIR output records (issue 15). */
export const NOTIFICATION_CHANNELS = ['slack', 'email', 'pagerduty', 'webhook', 'teams', 'hub'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const connectSlackSchema = z.strictObject({
  /** A Slack app's bot token (xoxb-…); stored sealed, never shown again. */
  botToken: z
    .string()
    .trim()
    .regex(/^xox[abp]-[A-Za-z0-9-]{6,250}$/, 'must be a Slack bot token (xoxb-…)'),
  /** The channel the portal posts to, e.g. C0123456789. */
  channelId: z
    .string()
    .trim()
    .regex(/^[CGD][A-Z0-9]{6,20}$/, 'must be a Slack channel id such as C0123456789'),
});
export type ConnectSlackInput = z.infer<typeof connectSlackSchema>;

export const createWebhookEndpointSchema = z.strictObject({
  url: z.string().trim().min(1, 'is required').max(2048, 'at most 2048 characters').url('must be a URL'),
  description: z.string().trim().max(200).optional(),
  /** The event types sent to this endpoint; all of them when omitted. */
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, 'pick at least one event type').max(WEBHOOK_EVENT_TYPES.length).optional(),
});
export type CreateWebhookEndpointInput = z.infer<typeof createWebhookEndpointSchema>;

export const updateWebhookEndpointSchema = z
  .strictObject({
    /** true re-enables an endpoint the portal disabled after a run of failures (its failure count restarts). */
    enabled: z.boolean().optional(),
    description: z.string().trim().max(200).optional(),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, 'pick at least one event type').max(WEBHOOK_EVENT_TYPES.length).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one of enabled, description, events', path: ['body'] });
export type UpdateWebhookEndpointInput = z.infer<typeof updateWebhookEndpointSchema>;

export interface SlackConnectionView {
  connected: boolean;
  channelId: string | null;
  /** The token's last four characters, to recognise it; the token itself is never returned. */
  tokenHint: string | null;
  updatedAt: string | null;
}

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
}

/** Returned once, at creation: the signing secret (`whsec_…`) is never shown again. */
export interface CreatedWebhookEndpoint extends WebhookEndpointView {
  secret: string;
}

export interface NotificationDeliveryView {
  id: string;
  channel: NotificationChannel;
  /** Webhook deliveries: the endpoint; others: null. */
  endpointId: string | null;
  /** Who or what was told: a channel id, recipients, the endpoint's URL, "on-call". */
  target: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
  responseExcerpt: string | null;
  latencyMs: number | null;
  createdAt: string;
  lastAttemptAt: string | null;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

export interface IncidentNotificationsView {
  /** Mode B/C Sev1: the phone hotline the customer may call (null otherwise or when none is configured). */
  hotline: string | null;
  deliveries: NotificationDeliveryView[];
}

// ---- Microsoft Teams (issue 14, part C) ----
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const connectTeamsSchema = z.strictObject({
  /** The Entra directory (tenant) id that owns the app registration. */
  directoryId: z.string().trim().regex(GUID, 'must be a directory (tenant) id, a GUID'),
  /** The app registration's application (client) id; it needs a Graph application permission to post channel messages. */
  clientId: z.string().trim().regex(GUID, 'must be an application (client) id, a GUID'),
  /** The app registration's client secret; stored sealed, never shown again. */
  clientSecret: z.string().min(8, 'at least 8 characters').max(512, 'at most 512 characters'),
  /** The team's id (a GUID, the group id of the team). */
  teamId: z.string().trim().regex(GUID, 'must be a team id, a GUID'),
  /** The channel's id, e.g. 19:abc…@thread.tacv2. */
  channelId: z
    .string()
    .trim()
    .regex(/^19:[A-Za-z0-9_.-]{1,200}@thread\.(tacv2|skype)$/, 'must be a Teams channel id such as 19:abc@thread.tacv2'),
});
export type ConnectTeamsInput = z.infer<typeof connectTeamsSchema>;

export interface TeamsConnectionView {
  connected: boolean;
  directoryId: string | null;
  clientId: string | null;
  teamId: string | null;
  channelId: string | null;
  /** The secret's last four characters, to recognise it; the secret itself is never returned. */
  secretHint: string | null;
  updatedAt: string | null;
}

// --- vendor notification settings (lead) ---

export const SEVERITIES_FOR_PAGING = ['sev1', 'sev2', 'sev3', 'sev4'] as const;

/** One step of the vendor's escalation ladder (seed 003, 5.1 "Automatic Escalations"). */
export const escalationStepSchema = z.strictObject({
  severity: z.enum(SEVERITIES_FOR_PAGING),
  /** `unacknowledged`: no engineer acknowledged yet; `open`: not resolved yet. Counted from the declaration (or the raise to this severity). */
  condition: z.enum(['unacknowledged', 'open']),
  afterMinutes: z.number().int().min(1).max(10080),
  target: z.string().trim().min(1).max(100),
  /** Where the step's email goes; without one the step is recorded in the audit trail only. */
  email: z.email().max(254).optional(),
});
export type EscalationStep = z.infer<typeof escalationStepSchema>;
export const escalationPolicySchema = z.array(escalationStepSchema).max(50);

/**
 * Settings → Escalation and paging (vendor staff). `pagerDutyRoutingKey`: a string replaces the stored key (sealed,
 * never shown again), `null` removes it, absent keeps it.
 */
export const updateVendorNotificationSettingsSchema = z.strictObject({
  escalation: escalationPolicySchema,
  pagerDutySeverities: z
    .array(z.enum(SEVERITIES_FOR_PAGING))
    .max(4)
    .refine((a) => new Set(a).size === a.length, 'must not repeat a severity'),
  pagerDutyRoutingKey: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{8,64}$/, 'must be a PagerDuty integration (routing) key: 8 to 64 letters and digits')
    .nullable()
    .optional(),
});
export type UpdateVendorNotificationSettingsInput = z.infer<typeof updateVendorNotificationSettingsSchema>;

export interface VendorNotificationSettingsView {
  escalation: EscalationStep[];
  pagerDutySeverities: string[];
  /** The last four characters of the stored key, or null when paging is off. */
  pagerDutyKeyHint: string | null;
  /** `settings`: changed in the portal; `deployment`: the configuration's defaults (ESCALATION_POLICY, PAGERDUTY_*). */
  source: 'settings' | 'deployment';
  updatedAt: string | null;
  updatedBy: string | null;
}
// --- end vendor notification settings ---
// ---- the tenant's Hub (issue 15): output records of published post-incident reviews ----

export const connectHubSchema = z.strictObject({
  /** Where the Hub accepts output records (an HTTPS URL the Hub gives the tenant). */
  url: z.string().trim().min(1, 'is required').max(2048, 'at most 2048 characters').url('must be a URL'),
  /** The Hub's Standard Webhooks signing secret (whsec_ + base64, at least 24 bytes); stored sealed, never shown again. */
  secret: z
    .string()
    .trim()
    .regex(/^whsec_[A-Za-z0-9+/]{32,342}={0,2}$/, 'must be a Standard Webhooks secret (whsec_ followed by base64 of at least 24 bytes)'),
});
export type ConnectHubInput = z.infer<typeof connectHubSchema>;

export interface HubConnectionView {
  connected: boolean;
  url: string | null;
  /** The secret's last four characters, to recognise it; the secret itself is never returned. */
  secretHint: string | null;
  updatedAt: string | null;
}
