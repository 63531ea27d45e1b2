/**
 * The incident vocabulary as plain values: no zod here, so the web app's first screen (the incident list) can import
 * these through `@portal/contracts/constants` without bundling the validators (issue 18, first load). Everything is
 * re-exported by ./incident and the package index.
 */

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export const INCIDENT_STATUSES = [
  'declared',
  'acknowledged',
  'investigating',
  'identified',
  'monitoring',
  'waiting_on_customer',
  'resolved',
  'closed',
] as const;
export const ACTIVE_STATUSES = INCIDENT_STATUSES.filter((s) => s !== 'resolved' && s !== 'closed');
export const STATUS_UPDATE_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const SERVICES = ['Identity', 'Distribution', 'Hub', 'Telemetry', 'Command Center', 'Onboarding Portal', 'Documentation site'] as const;
export const RECENT_CHANGE_KINDS = ['idp_migration', 'aad_change', 'llm_platform_update', 'network_acl_change', 'other'] as const;
export const PLANES = ['data_plane', 'control_plane', 'not_sure'] as const;
export const SERVICE_MODES = ['A', 'B', 'C'] as const;
export const TENANT_ROLES = ['customer_admin', 'customer_viewer'] as const;
export const VENDOR_ROLES = ['support_engineer', 'csm'] as const;
export const ROLES = [...TENANT_ROLES, ...VENDOR_ROLES] as const;

export type Severity = (typeof SEVERITIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type StatusUpdateState = (typeof STATUS_UPDATE_STATES)[number];
export type ServiceName = (typeof SERVICES)[number];
export type RecentChangeKind = (typeof RECENT_CHANGE_KINDS)[number];
export type Plane = (typeof PLANES)[number];
export type ServiceMode = (typeof SERVICE_MODES)[number];
export type TenantRole = (typeof TENANT_ROLES)[number];
export type VendorRole = (typeof VENDOR_ROLES)[number];
export type Role = (typeof ROLES)[number];

/** Severity definitions and examples, verbatim from seed 000, for the severity helper. */
export const SEVERITY_DEFINITIONS: Record<Severity, { name: string; definition: string; examples: string[] }> = {
  sev1: {
    name: 'Sev 1 (Down)',
    definition: 'Tenant cannot complete a primary workflow',
    examples: ['SSO sign-in fails for all users', 'Hub writes failing', 'All LLM connectors offline', 'Command Center inaccessible'],
  },
  sev2: {
    name: 'Sev 2 (Degraded)',
    definition: 'Significant function impaired',
    examples: [
      'One LLM connector down (others still working)',
      'Telemetry pipeline > 30 min behind',
      'Hub Browser slow but writes succeed',
      "Onboarding Portal's smoke-test step fails (existing tenants unaffected)",
    ],
  },
  sev3: {
    name: 'Sev 3 (Cosmetic)',
    definition: 'Minor function impacted',
    examples: ['UI rendering issue (e.g., Adaptive Card columns misaligned)', 'Specific skill returns inconsistent format', 'Dashboard slow in one tab'],
  },
  sev4: { name: 'Sev 4 (Informational)', definition: 'User question or feature request', examples: [] },
};
