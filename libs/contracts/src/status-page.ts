import { z } from 'zod';
import { SERVICES, type ServiceName } from './incident';

/**
 * The vendor's public status page (seed 000: "status.claresia.com", subscribe at service and region level).
 * Vendor-wide data: components are the vendor's services × regions, never a tenant's.
 */
export const STATUS_REGIONS = [
  { code: 'eu-south-1', name: 'Milano' },
  { code: 'eu-central-1', name: 'Frankfurt' },
] as const;
export const STATUS_REGION_CODES = STATUS_REGIONS.map((r) => r.code) as ['eu-south-1', 'eu-central-1'];
export type StatusRegionCode = (typeof STATUS_REGION_CODES)[number];

/** Ordered from best to worst (the page shows the worst state of a service across its regions). */
export const COMPONENT_STATES = ['operational', 'maintenance', 'degraded', 'partial_outage', 'major_outage'] as const;
export type ComponentState = (typeof COMPONENT_STATES)[number];

export const PUBLIC_INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type PublicIncidentStatus = (typeof PUBLIC_INCIDENT_STATUSES)[number];
export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];

const text = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
const componentRef = z.strictObject({ service: z.enum(SERVICES), region: z.enum(STATUS_REGION_CODES) });
const components = z
  .array(componentRef)
  .min(1, 'name at least one component')
  .max(SERVICES.length * STATUS_REGIONS.length);

export const setComponentStateSchema = z.strictObject({
  state: z.enum(COMPONENT_STATES),
  /** Why (kept in the audit trail, not shown publicly). */
  reason: text(500).optional(),
});
export type SetComponentStateInput = z.infer<typeof setComponentStateSchema>;

export const createPublicIncidentSchema = z.strictObject({
  title: text(200),
  body: text(5000),
  status: z.enum(PUBLIC_INCIDENT_STATUSES).exclude(['resolved']).default('investigating'),
  /** The state the affected components move to. */
  impact: z.enum(COMPONENT_STATES).exclude(['operational', 'maintenance']),
  components,
  /** A tenant incident this public incident is about (staff only; the link itself is never public). */
  linkedIncidentId: z.uuid('must be an incident id').optional(),
});
export type CreatePublicIncidentInput = z.infer<typeof createPublicIncidentSchema>;

export const publicIncidentUpdateSchema = z.strictObject({
  status: z.enum(PUBLIC_INCIDENT_STATUSES),
  body: text(5000),
  /** Moves the affected components to this state (resolving moves them back to operational by default). */
  impact: z.enum(COMPONENT_STATES).exclude(['maintenance']).optional(),
});
export type PublicIncidentUpdateInput = z.infer<typeof publicIncidentUpdateSchema>;

export const scheduleMaintenanceSchema = z
  .strictObject({
    startsAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
    endsAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
    components,
    expectedImpact: text(1000),
  })
  .refine((m) => Date.parse(m.endsAt) > Date.parse(m.startsAt), { path: ['endsAt'], message: 'must be after startsAt' });
export type ScheduleMaintenanceInput = z.infer<typeof scheduleMaintenanceSchema>;

export const maintenanceUpdateSchema = z.strictObject({
  status: z.enum(MAINTENANCE_STATUSES).exclude(['scheduled']),
  body: text(5000),
});
export type MaintenanceUpdateInput = z.infer<typeof maintenanceUpdateSchema>;

const filterServices = z.array(z.enum(SERVICES)).max(SERVICES.length).default([]);
const filterRegions = z.array(z.enum(STATUS_REGION_CODES)).max(STATUS_REGIONS.length).default([]);

/** No account needed. Empty services/regions mean "all". */
export const createStatusSubscriptionSchema = z.discriminatedUnion('channel', [
  z.strictObject({ channel: z.literal('email'), email: z.email('must be an email address').max(254), services: filterServices, regions: filterRegions }),
  z.strictObject({
    channel: z.literal('slack'),
    url: z.url({ protocol: /^https?$/, message: 'must be a Slack incoming-webhook URL' }).max(2000),
    services: filterServices,
    regions: filterRegions,
  }),
  z.strictObject({
    channel: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000),
    services: filterServices,
    regions: filterRegions,
  }),
]);
export type CreateStatusSubscriptionInput = z.infer<typeof createStatusSubscriptionSchema>;

export const statusTokenSchema = z.strictObject({ token: z.string().min(10, 'is not a valid token').max(200, 'is not a valid token') });

/** RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` (form) to the List-Unsubscribe URL. */
export const oneClickUnsubscribeSchema = z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() });

export const statusFeedQuerySchema = z.strictObject({
  service: z.string().optional(),
  region: z.string().optional(),
});

// ---- views ----------------------------------------------------------------------------------------------

export interface StatusComponentView {
  id: string;
  service: ServiceName;
  region: StatusRegionCode;
  regionName: string;
  state: ComponentState;
  stateSince: string;
  /** One entry per day, oldest first (90 days): share of the day operational (maintenance counts as up). */
  uptime: { date: string; uptime: number; worst: ComponentState }[];
  uptime90d: number;
}

export interface StatusUpdateView {
  id: string;
  status: PublicIncidentStatus | MaintenanceStatus;
  body: string;
  postedAt: string;
}

export interface PublicIncidentView {
  id: string;
  kind: 'incident' | 'maintenance';
  title: string;
  status: PublicIncidentStatus | MaintenanceStatus;
  impact: ComponentState;
  components: { service: ServiceName; region: StatusRegionCode }[];
  startsAt: string;
  endsAt: string | null;
  resolvedAt: string | null;
  createdAt: string;
  updates: StatusUpdateView[];
}

export interface StatusPageView {
  generatedAt: string;
  overall: ComponentState;
  services: { service: ServiceName; state: ComponentState; components: StatusComponentView[] }[];
  activeIncidents: PublicIncidentView[];
  maintenance: PublicIncidentView[];
  recent: PublicIncidentView[];
}

/** The staff view adds the (private) link to a tenant incident. */
export interface StaffPublicIncidentView extends PublicIncidentView {
  linkedIncident: { id: string; tenantId: string } | null;
}

export interface StatusSubscriptionCreated {
  /** Not for email: the answer does not tell whether an address was known. */
  id?: string;
  channel: 'email' | 'slack' | 'webhook';
  /** email: pending until the address confirms; other channels are active at once. */
  state: 'pending_confirmation' | 'active';
  /** webhook only, shown once: the Standard Webhooks signing secret. */
  signingSecret?: string;
  /** Not for email (the token arrives only in the mail). */
  unsubscribeToken?: string;
}
