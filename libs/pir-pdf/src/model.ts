/** What a post-incident review document shows. Plain data: the portal (or any host) builds it from its own records. */
export interface PirDocumentModel {
  tenant: {
    name: string;
    /** A `data:image/png|jpeg|webp;base64,…` URL; anything else is left out (the renderer fetches nothing). */
    logoDataUrl?: string | null;
  };
  incident: {
    reference: string;
    title: string;
    severity: string;
    service?: string | null;
    status?: string | null;
    declaredAt: string;
    acknowledgedAt?: string | null;
    resolvedAt?: string | null;
    /** Human-readable duration, e.g. "2 h 14 min". */
    duration?: string | null;
  };
  review: {
    version: number;
    status: string;
    author?: string | null;
    publishedAt?: string | null;
  };
  /** Text sections in Markdown (Summary, Root cause, Impact, …); rendered through a strict allowlist. */
  sections: PirSection[];
  timeline: PirTimelineRow[];
  actionItems: PirActionItemRow[];
  slaOutcomes: PirSlaOutcomeRow[];
}

export interface PirSection {
  key: string;
  title: string;
  markdown: string;
}

export interface PirTimelineRow {
  at: string;
  kind: string;
  text: string;
}

export interface PirActionItemRow {
  action: string;
  owner: string;
  priority: string;
  dueDate?: string | null;
  status: string;
}

export interface PirSlaOutcomeRow {
  clock: string;
  target: string;
  outcome: string;
  detail?: string | null;
}

export type PirPaperFormat = 'A4' | 'Letter';

export interface PirRenderOptions {
  format?: PirPaperFormat;
  /** PDF metadata; defaults derive from the model. */
  title?: string;
  author?: string;
  subject?: string;
  /** Timestamp written as the PDF's creation/modification date (keeps renders reproducible). */
  producedAt?: Date;
}
