import { z } from 'zod';
import { INCIDENT_STATUSES, PLANES, RECENT_CHANGE_KINDS, SERVICES, SEVERITIES, STATUS_UPDATE_STATES, type StatusUpdateState } from './constants';

/**
 * The incident intake of the customer-facing incident-response page (seed 000):
 * tenant slug (implied by the signed-in tenant), impacted-user count, first-noticed
 * time + the reporter's timezone, symptoms, recent changes, error codes, reproduction,
 * impacted-user examples; for Mode C tenants the data/control plane question.
 * Shared by portal-api (validation at the edge) and portal-web (validation as the user types).
 */

// The plain lists and labels live in ./constants (no zod), so the web app's first screen can use them without
// bundling zod; re-exported here for everything else.
export * from './constants';

/** Region codes are extensible per tenant; the format is what we check here. */
export const REGION_CODE = z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, 'must be a region code such as eu-south-1');

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

export const IANA_TIMEZONE = z.string().min(1, 'is required').refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Rome');

const text = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
const ISO_INSTANT = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset, e.g. 2026-11-23T09:30:00+01:00' });

export const recentChangesSchema = z
  .strictObject({
    kinds: z.array(z.enum(RECENT_CHANGE_KINDS)).max(RECENT_CHANGE_KINDS.length),
    details: z.string().trim().max(4000, 'must be at most 4000 characters').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kinds.includes('other') && !v.details) {
      ctx.addIssue({ code: 'custom', path: ['details'], message: 'describe the other change' });
    }
  });

export const declareIncidentSchema = z.strictObject({
  title: text(200),
  severity: z.enum(SEVERITIES),
  services: z.array(z.enum(SERVICES)).min(1, 'pick at least one affected service').max(SERVICES.length),
  regions: z.array(REGION_CODE).min(1, 'pick at least one affected region').max(20),
  impactedUsers: z.number().int('must be a whole number').min(0, 'cannot be negative').max(10_000_000),
  firstNoticedAt: ISO_INSTANT,
  firstNoticedTimezone: IANA_TIMEZONE,
  symptoms: text(8000),
  recentChanges: recentChangesSchema,
  errorCodes: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  reproductionConfirmed: z.boolean(),
  impactedUserExamples: z.array(z.string().trim().min(1).max(320)).max(50).optional(),
  plane: z.enum(PLANES).optional(),
});
export type DeclareIncidentInput = z.infer<typeof declareIncidentSchema>;

// h6-web-outage (issue 18): quick declaration. A Sev 1 or Sev 2 can be declared with what a person knows in the first
// twenty seconds; the rest of the intake is still required, within the response target, and the incident says
// what is missing until it is given (`missingIntakeFields`). Sev 3/4 keep the full form.
export const QUICK_SEVERITIES = ['sev1', 'sev2'] as const;
/** The intake a quick declaration leaves for later, in the order the incident page asks for it. */
export const DEFERRABLE_INTAKE_FIELDS = ['symptoms', 'impactedUsers', 'firstNoticedAt', 'recentChanges', 'reproductionConfirmed'] as const;
export type DeferrableIntakeField = (typeof DEFERRABLE_INTAKE_FIELDS)[number];

export const quickDeclareIncidentSchema = z.strictObject({
  title: text(200),
  severity: z.enum(QUICK_SEVERITIES, { message: 'quick declaration is for Sev 1 and Sev 2; declare a Sev 3 or Sev 4 with the full form' }),
  services: z.array(z.enum(SERVICES)).min(1, 'pick at least one affected service').max(SERVICES.length),
  regions: z.array(REGION_CODE).min(1, 'pick at least one affected region').max(20),
  plane: z.enum(PLANES).optional(),
});
export type QuickDeclareIncidentInput = z.infer<typeof quickDeclareIncidentSchema>;

/** The rest of a quick declaration's intake; each field may be given once, while it is missing. */
export const completeIntakeSchema = z
  .strictObject({
    symptoms: text(8000).optional(),
    impactedUsers: z.number().int('must be a whole number').min(0, 'cannot be negative').max(10_000_000).optional(),
    firstNoticedAt: ISO_INSTANT.optional(),
    firstNoticedTimezone: IANA_TIMEZONE.optional(),
    recentChanges: recentChangesSchema.optional(),
    reproductionConfirmed: z.boolean().optional(),
    errorCodes: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    impactedUserExamples: z.array(z.string().trim().min(1).max(320)).max(50).optional(),
  })
  .refine((v) => (v.firstNoticedAt === undefined) === (v.firstNoticedTimezone === undefined), {
    message: 'firstNoticedAt and firstNoticedTimezone are given together',
    path: ['firstNoticedTimezone'],
  })
  .refine((v) => DEFERRABLE_INTAKE_FIELDS.some((k) => v[k] !== undefined), {
    message: `give at least one of ${DEFERRABLE_INTAKE_FIELDS.join(', ')}`,
    path: [],
  });
export type CompleteIntakeInput = z.infer<typeof completeIntakeSchema>;

export const updateIncidentSchema = z
  .strictObject({
    severity: z.enum(SEVERITIES).optional(),
    impactedUsers: z.number().int('must be a whole number').min(0, 'cannot be negative').max(10_000_000).optional(),
    status: z.enum(['investigating', 'identified', 'monitoring', 'waiting_on_customer'] as const).optional(),
    reason: z.string().trim().max(2000).optional(),
  })
  .refine((v) => v.severity !== undefined || v.impactedUsers !== undefined || v.status !== undefined, {
    message: 'give at least one of severity, impactedUsers, status',
    path: [],
  })
  // A severity change restarts running clocks: it is a governance event and says why.
  .refine((v) => v.severity === undefined || !!v.reason, {
    message: 'is required to change the severity: say why, it is recorded in the audit trail and the clock history',
    path: ['reason'],
  })
  // Waiting on the customer asks them something: the question is shown in their banner and timeline (issue 18).
  .refine((v) => v.status !== 'waiting_on_customer' || !!v.reason, {
    message: 'is required to wait on the customer: say what you need from them, it is shown to them as your question',
    path: ['reason'],
  });
export type UpdateIncidentInput = z.infer<typeof updateIncidentSchema>;

export const statusUpdateSchema = z.strictObject({
  state: z.enum(STATUS_UPDATE_STATES),
  body: text(8000),
});
export type StatusUpdateInput = z.infer<typeof statusUpdateSchema>;

export const resolveIncidentSchema = z.strictObject({
  summary: text(8000),
});
export type ResolveIncidentInput = z.infer<typeof resolveIncidentSchema>;

export const listIncidentsQuerySchema = z.strictObject({
  status: z.enum([...INCIDENT_STATUSES, 'active'] as const).optional(),
  severity: z.enum(SEVERITIES).optional(),
  service: z.enum(SERVICES).optional(),
  region: REGION_CODE.optional(),
  tenant: z.string().max(63).optional(),
  /** Search: words over title, symptoms and error codes (prefix match), or a reference (`ACME-8`, `INC-8`). */
  q: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  /** h2b-pir-publish: incidents whose review is owed (`owed`: due or overdue), `due` (on time) or `overdue`. */
  pir: z.enum(['owed', 'due', 'overdue']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export type ListIncidentsQuery = z.infer<typeof listIncidentsQuerySchema>;

/** The CSV export takes the list's filters (no paging: it streams every match). */
export const exportIncidentsQuerySchema = listIncidentsQuerySchema.omit({ cursor: true, limit: true });
export type ExportIncidentsQuery = z.infer<typeof exportIncidentsQuerySchema>;

/** Status-update templates offered to support engineers (seed 000: updates every 30 minutes). */
export const STATUS_UPDATE_TEMPLATES: Record<StatusUpdateState, string> = {
  investigating: 'We are investigating reports of {symptom}. Our engineers are engaged and the next update will follow within 30 minutes.',
  identified: 'We have identified the cause: {cause}. We are working on a fix; next update within 30 minutes.',
  monitoring: 'A fix has been applied and we are monitoring the results. Next update within 30 minutes or when the incident is resolved.',
  resolved: 'This incident has been resolved. Service is restored to nominal SLO. A post-incident review follows for Sev 1 and Sev 2 within 5 business days.',
};

export const CUSTOMER_RESPONSIBILITIES = [
  "Don't rotate credentials in the middle of an incident (it makes diagnosis harder); wait for resolution.",
  "Don't unilaterally republish skills (Distribution Plane is in a known state — additional pushes confuse forensics).",
  'Do keep the channel open with timestamps + screenshots.',
  'Do provide your impacted-user count updates as the situation evolves.',
];

export const PLANE_OWNERSHIP_NOTE =
  'In Mode C (BYOC) the data plane runs in your cloud: your team owns the runbook for Postgres / SharePoint / Snowflake outages and Claresia assists. The control plane still runs in Claresia Cloud and follows the standard Sev 1-4 process. Cross-cutting incidents (e.g. mTLS endpoint certificate expired) are jointly triaged.';

export const customerReplySchema = z.strictObject({
  body: text(8000),
  /** The vendor's question this answers; without it, a reply answers the open question if there is one. */
  questionId: z.uuid('must be the id of a question on this incident').optional(),
});
export type CustomerReplyInput = z.infer<typeof customerReplySchema>;

export const reopenIncidentSchema = z.strictObject({
  reason: text(2000),
});
export type ReopenIncidentInput = z.infer<typeof reopenIncidentSchema>;
