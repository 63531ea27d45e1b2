import type {
  CreateApiTokenInput,
  DeclareIncidentInput,
  DevLoginInput,
  ExportIncidentsQuery,
  IncidentContact,
  ListIncidentsQuery,
  ResolveIncidentInput,
  StatusUpdateInput,
  UpdateIncidentInput,
  // post-incident reviews (issue 15)
  PirSearchHit,
  PirTransitionInput,
  SearchPirsQuery,
  SlaReportQuery,
  PirView,
  UpdateActionItemInput,
  UpdatePirInput,
  // quick declaration (issue 18)
  QuickDeclareIncidentInput,
  CompleteIntakeInput,
} from '@portal/contracts';
import type { SlaReport } from '@portal/sla';
import type { ConnectTeamsInput, TeamsConnectionView } from '@portal/contracts';
// CSM walkthroughs (issue 15, h2a-walkthroughs)
import type {
  BookWalkthroughInput,
  RescheduleWalkthroughInput,
  WalkthroughSlots,
  WalkthroughState,
  WalkthroughView,
  WorkingHoursInput,
  WorkingHoursView,
} from '@portal/contracts';
import { http, query, UploadCancelled, uploadWithProgress, type RequestOptions, type UploadHandle } from './client';
import type {
  ConnectHubInput,
  ConnectSlackInput,
  HubConnectionView,
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  IncidentNotificationsView,
  NotificationDeliveryView,
  SlackConnectionView,
  UpdateWebhookEndpointInput,
  WebhookEndpointView,
} from '@portal/contracts';
import type {
  ApiToken,
  Attachment,
  AttachmentList,
  DataPlaneHealth,
  EvidenceKind,
  EvidenceTarget,
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
  /** The same Idempotency-Key on every retry of one declaration: the API answers a repeat with the incident it created. */
  declare: (body: DeclareIncidentInput, opts?: RequestOptions) => http.post<Incident>('/api/v1/incidents', body, opts),
  // quick declaration (issue 18): Sev 1/2 with five fields; the rest of the intake through completeIntake
  quickDeclare: (body: QuickDeclareIncidentInput, opts?: RequestOptions) => http.post<Incident>('/api/v1/incidents/quick', body, opts),
  completeIntake: (id: string, body: CompleteIntakeInput) => http.put<IncidentDetail>(`/api/v1/incidents/${id}/intake`, body),
  updateIncident: (id: string, body: UpdateIncidentInput) => http.patch<IncidentDetail>(`/api/v1/incidents/${id}`, body),
  acknowledge: (id: string) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/acknowledge`),
  postStatusUpdate: (id: string, body: StatusUpdateInput) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/status-updates`, body),
  reply: (id: string, body: string, questionId?: string) =>
    http.post<IncidentDetail>(`/api/v1/incidents/${id}/replies`, { body, ...(questionId ? { questionId } : {}) }),
  /** The list as CSV with these filters: a plain link, so the browser downloads it with the session cookie. */
  incidentsCsvUrl: (q: ExportIncidentsQuery) => `/api/v1/incidents/export.csv${query({ ...q })}`,
  reopen: (id: string, reason: string) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/reopen`, { reason }),
  resolve: (id: string, body: ResolveIncidentInput) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/resolve`, body),
  close: (id: string) => http.post<IncidentDetail>(`/api/v1/incidents/${id}/close`),

  attachments: (id: string) => http.get<AttachmentList>(`/api/v1/incidents/${id}/attachments`),
  /** The kind goes first: the server processes the file while it streams in. */
  uploadAttachment: (id: string, kind: EvidenceKind, file: File, onProgress: (sent: number, total: number) => void): UploadHandle<Attachment> => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file, file.name);
    // BYOC: ask the portal where the file goes; a data plane takes it with a grant, the portal directly.
    let current: UploadHandle<Attachment> | null = null;
    let aborted = false;
    const promise = http.post<EvidenceTarget>(`/api/v1/incidents/${id}/attachments/upload-grants`).then((target) => {
      if (aborted) throw new UploadCancelled();
      current =
        target.via === 'data_plane' && target.grant
          ? uploadWithProgress<Attachment>(target.url, form, onProgress, { authorization: `Bearer ${target.grant}` })
          : uploadWithProgress<Attachment>(`/api/v1/incidents/${id}/attachments`, form, onProgress);
      return current.promise;
    });
    return {
      promise,
      abort: () => {
        aborted = true;
        current?.abort();
      },
    };
  },
  /** BYOC: a link to the file in the tenant's data plane, valid for a few minutes. */
  downloadGrant: (id: string, attachmentId: string) => http.post<EvidenceTarget>(`/api/v1/incidents/${id}/attachments/${attachmentId}/download-grants`),
  dataPlanes: () => http.get<{ items: DataPlaneHealth[]; silentAfterSeconds: number }>('/api/v1/data-planes'),
  deleteAttachment: (id: string, attachmentId: string) => http.delete<void>(`/api/v1/incidents/${id}/attachments/${attachmentId}`),
  // incident communications (issue 14, part A)
  incidentNotifications: (id: string) => http.get<IncidentNotificationsView>(`/api/v1/incidents/${id}/notifications`),
  retryDelivery: (id: string) => http.post<NotificationDeliveryView>(`/api/v1/notification-deliveries/${id}/retry`),
  slack: () => http.get<SlackConnectionView>('/api/v1/integrations/slack'),
  connectSlack: (body: ConnectSlackInput) => http.put<SlackConnectionView>('/api/v1/integrations/slack', body),
  disconnectSlack: () => http.delete<void>('/api/v1/integrations/slack'),
  testSlack: () => http.post<{ ok: boolean; error: string | null }>('/api/v1/integrations/slack/test'),
  // h2b-pir-publish: the tenant's Hub (output records of published reviews)
  hub: () => http.get<HubConnectionView>('/api/v1/integrations/hub'),
  connectHub: (body: ConnectHubInput) => http.put<HubConnectionView>('/api/v1/integrations/hub', body),
  disconnectHub: () => http.delete<void>('/api/v1/integrations/hub'),
  webhookEndpoints: () => http.get<{ items: WebhookEndpointView[] }>('/api/v1/webhook-endpoints'),
  createWebhookEndpoint: (body: CreateWebhookEndpointInput) => http.post<CreatedWebhookEndpoint>('/api/v1/webhook-endpoints', body),
  updateWebhookEndpoint: (id: string, body: UpdateWebhookEndpointInput) => http.patch<WebhookEndpointView>(`/api/v1/webhook-endpoints/${id}`, body),
  deleteWebhookEndpoint: (id: string) => http.delete<void>(`/api/v1/webhook-endpoints/${id}`),
  webhookDeliveries: (id: string) => http.get<{ items: NotificationDeliveryView[] }>(`/api/v1/webhook-endpoints/${id}/deliveries`),
  testWebhookEndpoint: (id: string) => http.post<NotificationDeliveryView>(`/api/v1/webhook-endpoints/${id}/test`),

  // post-incident reviews (issue 15)
  pir: (id: string) => http.get<PirView>(`/api/v1/incidents/${id}/pir`),
  startPir: (id: string) => http.post<PirView>(`/api/v1/incidents/${id}/pir`),
  savePir: (id: string, body: UpdatePirInput) => http.put<PirView>(`/api/v1/incidents/${id}/pir`, body),
  movePir: (id: string, body: PirTransitionInput) => http.post<PirView>(`/api/v1/incidents/${id}/pir/transitions`, body),
  updatePirActionItem: (id: string, itemId: string, body: UpdateActionItemInput) =>
    http.patch<PirView>(`/api/v1/incidents/${id}/pir/action-items/${itemId}`, body),
  pirPdfUrl: (id: string) => `/api/v1/incidents/${id}/pir.pdf`,
  // CSM walkthroughs (issue 15, h2a-walkthroughs)
  walkthrough: (id: string) => http.get<WalkthroughState>(`/api/v1/incidents/${id}/walkthrough`),
  walkthroughSlots: (id: string) => http.get<WalkthroughSlots>(`/api/v1/incidents/${id}/walkthrough/slots`),
  bookWalkthrough: (id: string, body: BookWalkthroughInput) => http.post<WalkthroughView>(`/api/v1/incidents/${id}/walkthrough`, body),
  rescheduleWalkthrough: (id: string, body: RescheduleWalkthroughInput) => http.patch<WalkthroughView>(`/api/v1/incidents/${id}/walkthrough`, body),
  cancelWalkthrough: (id: string) => http.delete<WalkthroughView>(`/api/v1/incidents/${id}/walkthrough`),
  workingHours: () => http.get<WorkingHoursView>('/api/v1/me/working-hours'),
  saveWorkingHours: (body: WorkingHoursInput) => http.put<WorkingHoursView>('/api/v1/me/working-hours', body),
  searchPirs: (q: SearchPirsQuery) => http.get<{ items: PirSearchHit[] }>(`/api/v1/pirs${query({ ...q })}`),
  // SLA reports (issue 15b)
  slaReport: (q: SlaReportQuery) =>
    http.get<SlaReport & { tenant: { id: string; slug: string; displayName: string } }>(`/api/v1/reports/sla${query({ ...q })}`),
  // Microsoft Teams (issue 14 part C)
  teams: () => http.get<TeamsConnectionView>('/api/v1/integrations/teams'),
  connectTeams: (body: ConnectTeamsInput) => http.put<TeamsConnectionView>('/api/v1/integrations/teams', body),
  disconnectTeams: () => http.delete<void>('/api/v1/integrations/teams'),
  testTeams: () => http.post<{ ok: boolean; error: string | null }>('/api/v1/integrations/teams/test'),
};
