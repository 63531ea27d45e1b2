/* Response shapes of portal-api live in @portal/contracts, where the API is type-checked against them. */
export type {
  ActorRef,
  Region,
  TenantSummary,
  TenantView,
  Principal,
  Me,
  SignInProvider,
  SignInOptions,
  IntakeRedaction,
  Incident,
  StatusUpdate,
  CustomerReply,
  CustomerQuestion,
  ImpactedCount,
  IncidentDetail,
  IncidentPage,
  GovernanceEvent,
  ApiToken,
} from '@portal/contracts';

// ---- evidence (portal-api evidence.service.ts view() / list()) ----

export type EvidenceKind = 'har' | 'governance-events' | 'screenshot';

export interface RedactionReport {
  total: number;
  byRule: Record<string, number>;
  /** e.g. "14 cookies, 3 Authorization headers, 2 JWTs" */
  summary: string;
}

export interface HarInsights {
  entryCount: number;
  startedAt: string | null;
  endedAt: string | null;
  spanMs: number | null;
  failedRequests: { method: string; host: string; path: string; status: number; count: number }[];
  slowestRequests: { method: string; host: string; path: string; status: number; timeMs: number; startedAt: string }[];
  errorCodes: { code: string; count: number; source: 'header' | 'body' }[];
  hosts: { host: string; count: number }[];
}

export interface GovernanceExportInsights {
  format: 'json' | 'ndjson' | 'csv';
  records: number;
  fields: string[];
  firstAt: string | null;
  lastAt: string | null;
  actions: { value: string; count: number }[];
  outcomes: { value: string; count: number }[];
}

export interface ScreenshotInsights {
  format: 'png' | 'jpeg';
  width: number | null;
  height: number | null;
  metadataRemoved: number;
}

interface AttachmentBase {
  id: string;
  incidentId: string;
  displayName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  redactionReport: RedactionReport;
  uploadedBy: import('@portal/contracts').ActorRef;
  uploadedAt: string;
  /** Null when this role may not download (Claresia customer success), or when the file is in the tenant's data plane. */
  downloadUrl: string | null;
  canDelete: boolean;
  /** BYOC: `data_plane` files are fetched from the tenant's data plane with a grant (`api.downloadGrant`). */
  storedIn?: 'portal' | 'data_plane';
  canDownload?: boolean;
}

export type Attachment =
  | (AttachmentBase & { kind: 'har'; insights: HarInsights })
  | (AttachmentBase & { kind: 'governance-events'; insights: GovernanceExportInsights })
  | (AttachmentBase & { kind: 'screenshot'; insights: ScreenshotInsights });

export interface AttachmentList {
  items: Attachment[];
  canUpload: boolean;
  /** Largest accepted file per kind, in bytes (a .gz counts once compressed and once inflated). */
  limits: Record<EvidenceKind, number>;
  retention: { days: number; deletesAt: string | null };
}

// BYOC data plane (issue 16b)
/** Where a file goes or comes from: the portal, or the tenant's data plane with a short-lived grant. */
export interface EvidenceTarget {
  operation: 'upload' | 'download';
  via: 'portal' | 'data_plane';
  url: string;
  attachmentId: string | null;
  grant: string | null;
  expiresAt: string | null;
}

export interface DataPlaneHealth {
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
  status: 'unknown' | 'healthy' | 'failing' | 'silent';
  signal2: boolean;
  lastHeartbeatAt: string | null;
  silentForSeconds: number | null;
  failing: string[];
  checks: { name: string; ok: boolean; detail: string }[];
  certificateNotAfter: string | null;
  certificateDaysLeft: number | null;
  ownershipNote: string;
  prefill: { title: string; severity: 'sev2'; plane: 'data_plane'; symptoms: string } | null;
}
