import type { UpdateVendorNotificationSettingsInput, VendorNotificationSettingsView } from '@portal/contracts';
import { http } from './client';

/** Vendor settings → Escalation and paging (support engineers). */
export const vendorSettingsApi = {
  notificationSettings: () => http.get<VendorNotificationSettingsView>('/api/v1/vendor/notification-settings'),
  saveNotificationSettings: (body: UpdateVendorNotificationSettingsInput) =>
    http.put<VendorNotificationSettingsView>('/api/v1/vendor/notification-settings', body),
  resetNotificationSettings: () => http.delete<VendorNotificationSettingsView>('/api/v1/vendor/notification-settings'),
};
