import type { BusinessCalendar } from '@portal/sla';
import type { IncidentContact, ServiceMode } from '@portal/contracts';

export interface Region {
  code: string;
  name: string;
}

export interface Tenant {
  id: string;
  slug: string;
  displayName: string;
  serviceMode: ServiceMode;
  timezone: string;
  calendar: BusinessCalendar;
  regions: Region[];
  contacts: IncidentContact[];
  country: string | null;
}

export const DEFAULT_REGIONS: Region[] = [
  { code: 'eu-south-1', name: 'Milano' },
  { code: 'eu-central-1', name: 'Frankfurt' },
];
