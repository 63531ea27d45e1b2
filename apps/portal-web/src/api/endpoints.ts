import type {
  CreateApiTokenInput,
  DeclareIncidentInput,
  DevLoginInput,
  IncidentContact,
  ListIncidentsQuery,
  ResolveIncidentInput,
  StatusUpdateInput,
  UpdateIncidentInput,
  // post-incident reviews (issue 15)
  PirSearchHit,
  PirTransitionInput,
  SearchPirsQuery,
  PirView,
  UpdateActionItemInput,
  UpdatePirInput,
} from '@portal/contracts';
import { http, query, uploadWithProgress, type UploadHandle } from './client';
import type {
  ApiToken,
  Attachment,
  AttachmentList,
  EvidenceKind,
  GovernanceEvent,
  Incident,
  IncidentDetail,
  IncidentPage,
  Me,
  SignInOptions,
  TenantView,
} from './types';

/** One function per API route the web app uses; request bodies are the shared contract types. */
export const api = {
  signInOptions: (slug: string) => http.get<SignInOptions>(`/auth/tenants/${encodeURIComponent(slug)}`),
  devLogin: (body: DevLoginInput) => http.post<{ csrfToken: string }>('/auth/dev/login', body),
  logout: () => http.post<{ signedOut: boolean }>('/auth/logout'),
  me: () => http.get<Me>('/api/v1/me'),

  tenant: () => http.get<TenantView>('/api/v1/tenant'),
  updateContacts: (contacts: IncidentContact[]) => http.put<TenantView>('/api/v1/tenant/contacts', { contacts }),

  apiTokens: () => http.get<{ items: ApiToken[] }>('/api/v1/api-tokens'),
  createApiToken: (body: CreateApiTokenInput) => http.post<{ token: string; apiToken: ApiToken }>('/api/v1/api-tokens', body),
  revokeApiToken: (id: string) => http.delete<ApiToken>(`/api/v1/api-tokens/${id}`),

  incidents: (q: ListIncidentsQuery) => http.get<IncidentPage>(`/api/v1/incidents${query({ ...q })}`),
  incident: (id: string) => http.get<IncidentDetail>(`/api/v1/incidents/${id}`),
  incidentEvents: (id: string) => http.get<{ items: GovernanceEvent[] }>(`/api/v1/incidents/${id}/events`),
  declare: (body: DeclareIncidentInput) => http.post<Incident>('/api/v1/incidents', body),
  updateIncident: (id: string, body: UpdateIncidentInput) => http.patch<IncidentDetail>(`/api/v1/incidents/${id}`, body),
  acknowledge: (id: string) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/acknowledge`),
  postStatusUpdate: (id: string, body: StatusUpdateInput) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/status-updates`, body),
  reply: (id: string, body: string) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/replies`, { body }),
  reopen: (id: string, reason: string) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/reopen`, { reason }),
  resolve: (id: string, body: ResolveIncidentInput) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/resolve`, body),
  close: (id: string) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/close`),

  attachments: (id: string) => http.get<AttachmentList>(`/api/v1/incidents/${id}/attachments`),
  /** The kind goes first: the server processes the file while it streams in. */
  uploadAttachment: (id: string, kind: EvidenceKind, file: File, onProgress: (sent: number, total: number) => void): UploadHandle<Attachment> => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file, file.name);
    return uploadWithProgress<Attachment>(`/api/v1/incidents/${id}/attachments`, form, onProgress);
  },
  deleteAttachment: (id: string, attachmentId: string) => http.delete<void>(`/api/v1/incidents/${id}/attachments/${attachmentId}`),

  // post-incident reviews (issue 15)
  pir: (id: string) => http.get<PirView>(`/api/v1/incidents/${id}/pir`),
  startPir: (id: string) => http.post<PirView>(`/api/v1/incidents/${id}/pir`),
  savePir: (id: string, body: UpdatePirInput) => http.put<PirView>(`/api/v1/incidents/${id}/pir`, body),
  movePir: (id: string, body: PirTransitionInput) => http.post<PirView>(`/api/v1/incidents/${id}/pir/transitions`, body),
  updatePirActionItem: (id: string, itemId: string, body: UpdateActionItemInput) =>
    http.patch<PirView>(`/api/v1/incidents/${id}/pir/action-items/${itemId}`, body),
  pirPdfUrl: (id: string) => `/api/v1/incidents/${id}/pir.pdf`,
  searchPirs: (q: SearchPirsQuery) => http.get<{ items: PirSearchHit[] }>(`/api/v1/pirs${query({ ...q })}`),
};
