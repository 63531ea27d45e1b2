import { z } from 'zod';
import { TENANT_ROLES } from './incident';

export const incidentContactSchema = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(200),
  email: z.email('must be an email address'),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{6,30}$/, 'must be a phone number such as +39 02 1234 5678')
    .optional(),
  role: z.string().trim().max(100).optional(),
});
export const incidentContactsSchema = z.strictObject({
  contacts: z.array(incidentContactSchema).max(50, 'at most 50 contacts'),
});
export type IncidentContact = z.infer<typeof incidentContactSchema>;

export const createApiTokenSchema = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100),
  role: z.enum(TENANT_ROLES),
  expiresInDays: z.number().int().min(1).max(730).optional(),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>;

export const devLoginSchema = z.strictObject({
  tenant: z.string().trim().max(63).optional(),
  email: z.email('must be an email address'),
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(['customer_admin', 'customer_viewer', 'support_engineer', 'csm'] as const),
});
export type DevLoginInput = z.infer<typeof devLoginSchema>;

export const TENANT_SLUG = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be DNS-safe: lowercase letters, digits and hyphens, 1-63 characters');

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:mm such as 09:00');
export const businessCalendarSchema = z
  .strictObject({
    workingDays: z
      .array(z.number().int().min(1, 'ISO weekday 1 (Mon) to 7 (Sun)').max(7, 'ISO weekday 1 (Mon) to 7 (Sun)'))
      .min(1, 'at least one working day')
      .max(7),
    dayStart: HHMM,
    dayEnd: HHMM,
    holidays: z.array(z.iso.date('must be a date YYYY-MM-DD')).max(400),
  })
  .refine((c) => c.dayEnd > c.dayStart, { path: ['dayEnd'], message: 'must be after dayStart' });
export type BusinessCalendarInput = z.infer<typeof businessCalendarSchema>;

export const createTenantSchema = z.strictObject({
  slug: TENANT_SLUG,
  displayName: z.string().trim().min(1, 'is required').max(200),
  serviceMode: z.enum(['A', 'B', 'C'] as const),
  timezone: z.string().min(1, 'is required'),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as IT')
    .optional(),
  regions: z
    .array(z.strictObject({ code: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, 'must be a region code such as eu-south-1'), name: z.string().min(1).max(100) }))
    .min(1)
    .max(50)
    .optional(),
});
export type CreateTenantInput = z.infer<typeof createTenantSchema>;
