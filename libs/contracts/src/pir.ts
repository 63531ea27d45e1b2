import { z } from 'zod';
import { SERVICES, SEVERITIES, type Severity } from './incident';

/**
 * Post-incident reviews (seed 000: Summary, Timeline, Root Cause, Impact, Remediation, Lessons; 003/004: what
 * went well, what could be improved, action items with owners). Shared by the API (validation) and the web app.
 */
export const PIR_STATUSES = ['draft', 'in_review', 'published', 'waived'] as const;
export type PirStatus = (typeof PIR_STATUSES)[number];

export const PIR_SECTIONS = [
  { key: 'summary', title: 'Summary' },
  { key: 'timeline', title: 'Timeline' },
  { key: 'root_cause', title: 'Root cause' },
  { key: 'impact', title: 'Impact' },
  { key: 'remediation', title: 'Remediation' },
  { key: 'lessons', title: 'Lessons learned' },
  { key: 'went_well', title: 'What went well' },
  { key: 'could_improve', title: 'What could be improved' },
] as const;
export type PirSectionKey = (typeof PIR_SECTIONS)[number]['key'];
export const PIR_SECTION_KEYS: PirSectionKey[] = PIR_SECTIONS.map((s) => s.key);

export const ACTION_ITEM_PRIORITIES = ['high', 'medium', 'low'] as const;
export const ACTION_ITEM_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemPriority = (typeof ACTION_ITEM_PRIORITIES)[number];
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];

/** Markdown; a 10,000-line root cause fits. */
export const PIR_SECTION_MAX = 400_000;
const markdown = z.string().max(PIR_SECTION_MAX, `must be at most ${PIR_SECTION_MAX} characters`);
const line = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD');

export const pirActionItemInputSchema = z.strictObject({
  /** Present for an item that already exists (keeps its id across edits). */
  id: z.uuid().optional(),
  action: line(500),
  owner: line(200),
  priority: z.enum(ACTION_ITEM_PRIORITIES),
  dueDate: DATE.nullable().optional(),
  status: z.enum(ACTION_ITEM_STATUSES).optional(),
});
export type PirActionItemInput = z.infer<typeof pirActionItemInputSchema>;

export const updatePirSchema = z.strictObject({
  /** The version the editor started from: a save over someone else's newer version is refused (409). */
  version: z.number().int().min(1),
  sections: z
    .strictObject(Object.fromEntries(PIR_SECTION_KEYS.map((k) => [k, markdown.optional()])) as Record<PirSectionKey, z.ZodOptional<typeof markdown>>)
    .optional(),
  actionItems: z.array(pirActionItemInputSchema).max(100, 'at most 100 action items').optional(),
});
export type UpdatePirInput = z.infer<typeof updatePirSchema>;

/** draft → in_review → published; in_review → draft; a Sev 2 review can be waived (with a reason) until published. */
export const pirTransitionSchema = z.strictObject({
  to: z.enum(['draft', 'in_review', 'published', 'waived']),
  reason: line(2000).optional(),
});
export type PirTransitionInput = z.infer<typeof pirTransitionSchema>;

export const updateActionItemSchema = z.strictObject({ status: z.enum(ACTION_ITEM_STATUSES) });
export type UpdateActionItemInput = z.infer<typeof updateActionItemSchema>;

export interface PirActionItem {
  id: string;
  action: string;
  owner: string;
  priority: ActionItemPriority;
  dueDate: string | null;
  status: ActionItemStatus;
}

export interface PirTimelineEntry {
  at: string;
  kind: string;
  text: string;
}

export interface PirSlaOutcome {
  clock: string;
  target: string;
  outcome: string;
  detail: string | null;
}

export interface PirView {
  id: string;
  incidentId: string;
  reference: string;
  severity: Severity;
  status: PirStatus;
  version: number;
  sections: Record<PirSectionKey, string>;
  timeline: PirTimelineEntry[];
  actionItems: PirActionItem[];
  slaOutcomes: PirSlaOutcome[];
  waiverReason: string | null;
  createdAt: string;
  updatedAt: string;
  updatedBy: { kind: string; id: string; label: string };
  publishedAt: string | null;
  pdf: { ready: boolean; version: number | null; sizeBytes: number | null; sha256: string | null };
  /** The Hub output record produced at publication; null before. */
  hubRecord: PirHubRecord | null;
}

/**
 * The Hub output record produced at publication: kind `gatespic.incident-postmortem`, schema version 1. The zod
 * schema below is the definition; `libs/contracts/schemas/gatespic.incident-postmortem.v1.schema.json` is its JSON
 * Schema (draft 2020-12), generated from it and checked equal by a unit test, for the Hub and other receivers.
 */
const isoInstant = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);
export const pirHubRecordSchema = z
  .strictObject({
    kind: z.literal('gatespic.incident-postmortem'),
    schemaVersion: z.literal(1),
    tenant: z.strictObject({ id: z.uuid(), slug: nonEmpty, name: nonEmpty }),
    incident: z.strictObject({
      id: z.uuid(),
      reference: z.string().regex(/^[A-Z][A-Z0-9]*-\d+$/),
      title: nonEmpty,
      severity: z.enum(SEVERITIES),
      services: z.array(nonEmpty),
      declaredAt: isoInstant,
      resolvedAt: isoInstant.nullable(),
    }),
    review: z.strictObject({ id: z.uuid(), version: z.number().int().min(1), publishedAt: isoInstant, publishedBy: nonEmpty }),
    /** Every section of the review, in the document's order, as Markdown. */
    sections: z
      .array(z.strictObject({ key: z.enum(PIR_SECTION_KEYS as [PirSectionKey, ...PirSectionKey[]]), title: nonEmpty, markdown: z.string() }))
      .length(PIR_SECTIONS.length),
    /** Times in UTC as shown in the review ("2026-11-24 09:00 UTC"). */
    timeline: z.array(z.strictObject({ at: nonEmpty, kind: nonEmpty, text: z.string() })),
    actionItems: z.array(
      z.strictObject({
        id: z.uuid(),
        action: nonEmpty,
        owner: nonEmpty,
        priority: z.enum(ACTION_ITEM_PRIORITIES),
        dueDate: DATE.nullable(),
        status: z.enum(ACTION_ITEM_STATUSES),
      }),
    ),
    /** Every run of every SLA clock: met or breached and by how much (runs a severity change ended included). */
    slaOutcomes: z.array(z.strictObject({ clock: nonEmpty, target: nonEmpty, outcome: nonEmpty, detail: z.string().nullable() })),
    links: z.strictObject({ pir: z.url(), pdf: z.url(), incident: z.url() }),
  })
  .meta({
    $id: 'https://schemas.incident-portal.dev/gatespic.incident-postmortem.v1.json',
    title: 'gatespic.incident-postmortem (v1)',
    description: 'A published post-incident review as a Hub output record.',
  });
export type PirHubRecord = z.infer<typeof pirHubRecordSchema>;

/** The archive of published reviews: full-text search over every section and action item, with filters. */
export const searchPirsQuerySchema = z.strictObject({
  q: z.string().trim().max(200, 'must be at most 200 characters').optional(),
  service: z.enum(SERVICES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  from: DATE.optional(),
  to: DATE.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export type SearchPirsQuery = z.infer<typeof searchPirsQuerySchema>;

export interface PirSearchHit {
  pirId: string;
  incidentId: string;
  reference: string;
  title: string;
  severity: Severity;
  services: string[];
  tenant: { slug: string; name: string };
  publishedAt: string;
  /** Matching words are wrapped in \u0001 … \u0002 (never HTML). */
  snippet: string;
  rank: number;
}
