import {
  quickDeclareIncidentSchema,
  type QuickDeclareIncidentInput,
  declareIncidentSchema,
  zodIssuesToFields,
  type ApiFieldError,
  type DeclareIncidentInput,
  type Plane,
  type RecentChangeKind,
  type ServiceMode,
  type ServiceName,
  type Severity,
} from '@portal/contracts';
import type { Region } from '../../api/types';
import { toFieldMap } from '../../lib/forms';
import { fromLocalInput, toLocalInput } from '../../lib/local-input';
import { viewerZone } from '../../lib/time';

/** The declare form as typed: what the controls hold, before it becomes the API's payload. */
export interface Draft {
  title: string;
  severity: Severity | null;
  services: ServiceName[];
  regions: string[];
  impactedUsers: number | '';
  firstNoticedLocal: string;
  firstNoticedTimezone: string;
  symptoms: string;
  recentKinds: RecentChangeKind[];
  recentDetails: string;
  errorCodes: string[];
  reproductionConfirmed: boolean;
  impactedUserExamples: string[];
  plane: Plane | null;
}

/** Fields in the order of the form: the first with an error gets the focus on submit. */
export const FIELD_ORDER = [
  'title',
  'symptoms',
  'severity',
  'services',
  'regions',
  'impactedUsers',
  'impactedUserExamples',
  'firstNoticedAt',
  'firstNoticedTimezone',
  'recentChanges',
  'recentChanges.details',
  'errorCodes',
  'reproductionConfirmed',
  'plane',
] as const;
export type FieldKey = (typeof FIELD_ORDER)[number];

export const FIELD_LABELS: Record<FieldKey, string> = {
  title: 'Title',
  symptoms: 'Symptoms',
  severity: 'Severity',
  services: 'Affected services',
  regions: 'Affected regions',
  impactedUsers: 'Impacted users',
  impactedUserExamples: 'Impacted-user examples',
  firstNoticedAt: 'First noticed',
  firstNoticedTimezone: 'Your time zone',
  recentChanges: 'Recent changes',
  'recentChanges.details': 'Details of the changes',
  errorCodes: 'Error codes',
  reproductionConfirmed: 'Reproduction',
  plane: 'Where the problem is',
};

export type FieldErrors = Partial<Record<FieldKey, string>>;

export const fieldId = (k: FieldKey) => `field-${k.replace('.', '-')}`;

/** Moves the focus to a control, e.g. the first one with an error. */
export const focusField = (k: FieldKey) => document.getElementById(fieldId(k))?.focus();

/** `regions.0` → `regions`, `recentChanges.details` stays: the UI shows one message per control. */
function uiKey(path: string): FieldKey | null {
  if (path === 'recentChanges.details') return 'recentChanges.details';
  const head = path.split('.')[0];
  return (FIELD_ORDER as readonly string[]).includes(head) ? (head as FieldKey) : null;
}

/** A new draft: now in the viewer's zone, and the tenant's only region when it has one. */
export function initialDraft(regions: Region[]): Draft {
  const zone = viewerZone();
  return {
    title: '',
    severity: null,
    services: [],
    regions: regions.length === 1 ? [regions[0].code] : [],
    impactedUsers: '',
    firstNoticedLocal: toLocalInput(new Date(), zone),
    firstNoticedTimezone: zone,
    symptoms: '',
    recentKinds: [],
    recentDetails: '',
    errorCodes: [],
    reproductionConfirmed: false,
    impactedUserExamples: [],
    plane: null,
  };
}

function toPayload(d: Draft): Record<string, unknown> {
  const details = d.recentDetails.trim();
  return {
    title: d.title,
    severity: d.severity ?? undefined,
    services: d.services,
    regions: d.regions,
    impactedUsers: d.impactedUsers === '' ? undefined : d.impactedUsers,
    firstNoticedAt: fromLocalInput(d.firstNoticedLocal, d.firstNoticedTimezone) ?? (d.firstNoticedLocal || undefined),
    firstNoticedTimezone: d.firstNoticedTimezone,
    symptoms: d.symptoms,
    recentChanges: { kinds: d.recentKinds, ...(details ? { details } : {}) },
    ...(d.errorCodes.length ? { errorCodes: d.errorCodes } : {}),
    reproductionConfirmed: d.reproductionConfirmed,
    ...(d.impactedUserExamples.length ? { impactedUserExamples: d.impactedUserExamples } : {}),
    ...(d.plane ? { plane: d.plane } : {}),
  };
}

/** The API's own schema plus the two rules it checks against the tenant (Mode C plane, not in the future). */
export function validate(d: Draft, mode: ServiceMode, regions: Region[]): { errors: FieldErrors; input: DeclareIncidentInput | null } {
  const parsed = declareIncidentSchema.safeParse(toPayload(d));
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const f of zodIssuesToFields(parsed.error.issues)) {
      const k = uiKey(f.field);
      if (k && !errors[k]) errors[k] = f.message;
    }
  }
  if (mode === 'C' && !d.plane) errors.plane = 'is required for Mode C tenants: data plane, control plane or not sure';
  const known = new Set(regions.map((r) => r.code));
  if (d.regions.some((r) => !known.has(r))) errors.regions = 'is not a region of this tenant';
  const at = fromLocalInput(d.firstNoticedLocal, d.firstNoticedTimezone);
  if (at && Date.parse(at) > Date.now() + 5 * 60_000) errors.firstNoticedAt = 'cannot be in the future';
  return { errors, input: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null };
}

/** The API's field errors, one per control (the first for each). */
export function serverFieldErrors(fields: ApiFieldError[]): FieldErrors {
  const mapped: FieldErrors = {};
  for (const [path, message] of Object.entries(toFieldMap(fields))) {
    const k = uiKey(path);
    if (k && !mapped[k]) mapped[k] = message;
  }
  return mapped;
}

/**
 * Quick declaration (issue 18): title, severity (Sev 1/2), services, regions, and the plane in Mode C, checked with
 * the API's own schema; the rest of the intake is asked for on the incident page.
 */
export function validateQuick(d: Draft, mode: ServiceMode, regions: Region[]): { errors: FieldErrors; input: QuickDeclareIncidentInput | null } {
  const parsed = quickDeclareIncidentSchema.safeParse({
    title: d.title,
    severity: d.severity ?? undefined,
    services: d.services,
    regions: d.regions,
    ...(d.plane ? { plane: d.plane } : {}),
  });
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const f of zodIssuesToFields(parsed.error.issues)) {
      const k = uiKey(f.field);
      if (k && !errors[k]) errors[k] = f.message;
    }
  }
  if (mode === 'C' && !d.plane) errors.plane = 'is required for Mode C tenants: data plane, control plane or not sure';
  const known = new Set(regions.map((r) => r.code));
  if (d.regions.some((r) => !known.has(r))) errors.regions = 'is not a region of this tenant';
  return { errors, input: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null };
}
