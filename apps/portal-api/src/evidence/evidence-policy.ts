import type { Role } from '@portal/contracts';
import type { PortalConfig } from '../config/portal-config';

export const EVIDENCE_KINDS = ['har', 'governance-events', 'screenshot'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export const isEvidenceKind = (s: string): s is EvidenceKind => (EVIDENCE_KINDS as readonly string[]).includes(s);

/** Who may do what with evidence. Listing follows incident visibility (row-level security): every role. */
export const EVIDENCE_UPLOADERS: Role[] = ['customer_admin', 'support_engineer'];
export const EVIDENCE_DELETERS: Role[] = ['customer_admin', 'support_engineer'];
/**
 * Downloads: the customer's own people (their evidence) and support engineers (who debug with it).
 * Not CSMs: their reach is an account assignment, not an engineering role on the incident; the list
 * (redaction report + insights) gives them the story without the file, which still carries URLs,
 * hosts, IP addresses and personal data the sanitizer does not remove (least privilege).
 */
export const EVIDENCE_DOWNLOADERS: Role[] = ['customer_admin', 'customer_viewer', 'support_engineer'];

export const mayDownload = (role: string) => (EVIDENCE_DOWNLOADERS as string[]).includes(role);
export const mayDelete = (role: string) => (EVIDENCE_DELETERS as string[]).includes(role);

/** Byte caps per kind, from configuration. HAR: the cap applies to the upload and again to the gunzipped size. */
export function evidenceCaps(config: PortalConfig['evidence']): Record<EvidenceKind, number> {
  return { har: config.harMaxBytes, 'governance-events': config.governanceExportMaxBytes, screenshot: config.screenshotMaxBytes };
}

/** File-name endings each kind accepts (checked case-insensitively; content is checked too). */
export const KIND_EXTENSIONS: Record<EvidenceKind, string[]> = {
  har: ['.har', '.har.gz', '.json', '.json.gz'],
  'governance-events': ['.json', '.ndjson', '.jsonl', '.csv', '.json.gz', '.ndjson.gz', '.jsonl.gz', '.csv.gz'],
  screenshot: ['.png', '.jpg', '.jpeg'],
};

export const KIND_LABELS: Record<EvidenceKind, string> = {
  har: 'HAR file',
  'governance-events': 'governance event export',
  screenshot: 'screenshot',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  if (n < 1024 * 1024 * 1024) return `${Math.round((n / 1048576) * 10) / 10} MiB`;
  return `${Math.round((n / 1073741824) * 10) / 10} GiB`;
}
