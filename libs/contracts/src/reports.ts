import { z } from 'zod';

/** GET /api/v1/reports/sla(.csv): a calendar month in the tenant's zone; vendor staff name the tenant. */
export const slaReportQuerySchema = z.strictObject({
  // Years 1970–2999: the month's bounds must be instants PostgreSQL and Date.toISOString both take.
  month: z.string().regex(/^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM (1970–2999)'),
  tenantId: z.string().uuid('must be a tenant id (uuid)').optional(),
});
export type SlaReportQuery = z.infer<typeof slaReportQuerySchema>;
