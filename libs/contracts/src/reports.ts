import { z } from 'zod';

/** GET /api/v1/reports/sla(.csv): a calendar month in the tenant's zone; vendor staff name the tenant. */
export const slaReportQuerySchema = z.strictObject({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
  tenantId: z.string().uuid('must be a tenant id (uuid)').optional(),
});
export type SlaReportQuery = z.infer<typeof slaReportQuerySchema>;
