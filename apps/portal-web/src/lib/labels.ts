import type { IncidentStatus, Plane, RecentChangeKind, Role, ServiceMode, Severity, StatusUpdateState } from '@portal/contracts';
import { SEVERITY_DEFINITIONS } from '@portal/contracts/constants';
import type { Channel } from '@portal/sla';

export const SEVERITY_SHORT: Record<Severity, string> = { sev1: 'Sev 1', sev2: 'Sev 2', sev3: 'Sev 3', sev4: 'Sev 4' };
export const severityName = (s: Severity) => SEVERITY_DEFINITIONS[s].name;

export const STATUS_LABELS: Record<IncidentStatus, string> = {
  declared: 'Declared',
  acknowledged: 'Acknowledged',
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  waiting_on_customer: 'Waiting on customer',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const UPDATE_STATE_LABELS: Record<StatusUpdateState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

// Seed 000, "How to declare": the channels a customer must also use.
export const CHANNEL_LABELS: Record<Channel, string> = {
  slack_teams_connect: 'your Slack/Teams Connect channel',
  email: 'email to support@claresia.com',
  phone_hotline: 'the phone hotline',
  hub_browser_feedback: 'the Hub Browser feedback button',
};

export const RECENT_CHANGE_LABELS: Record<RecentChangeKind, string> = {
  idp_migration: 'IdP migration',
  aad_change: 'Azure AD / Entra ID change',
  llm_platform_update: 'LLM platform update',
  network_acl_change: 'Network ACL change',
  other: 'Other change',
};

export const PLANE_LABELS: Record<Plane, string> = {
  data_plane: 'Data plane (runs in your cloud)',
  control_plane: 'Control plane (runs in Claresia Cloud)',
  not_sure: 'Not sure',
};

export const MODE_LABELS: Record<ServiceMode, string> = {
  A: 'Mode A',
  B: 'Mode B',
  C: 'Mode C (BYOC)',
};

export const ROLE_LABELS: Record<Role, string> = {
  customer_admin: 'Customer admin',
  customer_viewer: 'Customer viewer',
  support_engineer: 'Claresia support engineer',
  csm: 'Claresia customer success',
};

export const isVendorRole = (r: Role) => r === 'support_engineer' || r === 'csm';

export const humanize = (s: string) => s.replace(/[._]/g, ' ');
