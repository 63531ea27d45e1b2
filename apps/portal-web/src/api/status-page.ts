import type {
  CreatePublicIncidentInput,
  CreateStatusSubscriptionInput,
  MaintenanceUpdateInput,
  PublicIncidentUpdateInput,
  ScheduleMaintenanceInput,
  SetComponentStateInput,
  StaffPublicIncidentView,
  StatusComponentView,
  StatusPageView,
  StatusSubscriptionCreated,
} from '@portal/contracts';
import { http } from './client';

/** The public status page (no sign-in) and the vendor staff's changes to it. */
export const statusApi = {
  page: () => http.get<StatusPageView>('/api/v1/status'),
  subscribe: (body: CreateStatusSubscriptionInput) => http.post<StatusSubscriptionCreated>('/api/v1/status/subscriptions', body),
  confirm: (token: string) => http.post<{ channel: string; services: string[]; regions: string[] }>('/api/v1/status/subscriptions/confirm', { token }),
  unsubscribe: (token: string) => http.post<{ unsubscribed: true }>(`/api/v1/status/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`, {}),

  staffPosts: () => http.get<StaffPublicIncidentView[]>('/api/v1/status-page/posts'),
  setComponent: (id: string, body: SetComponentStateInput) => http.put<StatusComponentView>(`/api/v1/status-page/components/${id}`, body),
  createIncident: (body: CreatePublicIncidentInput) => http.post<StaffPublicIncidentView>('/api/v1/status-page/incidents', body),
  updateIncident: (id: string, body: PublicIncidentUpdateInput) => http.post<StaffPublicIncidentView>(`/api/v1/status-page/incidents/${id}/updates`, body),
  scheduleMaintenance: (body: ScheduleMaintenanceInput) => http.post<StaffPublicIncidentView>('/api/v1/status-page/maintenance', body),
  updateMaintenance: (id: string, body: MaintenanceUpdateInput) => http.post<StaffPublicIncidentView>(`/api/v1/status-page/maintenance/${id}/updates`, body),
};
