import type { Incident } from '@portal/contracts';
import type { SlaClock } from '@portal/sla';

/**
 * One CSV cell (RFC 4180), safe to open in a spreadsheet: text a spreadsheet would run as a formula (starting with
 * =, +, -, @, or a tab or carriage return that hides one) gets a leading apostrophe (OWASP "CSV injection"); then
 * the cell is quoted when it holds a comma, a quote or a line break.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvRow = (cells: (string | number | boolean | null | undefined)[]): string => cells.map(csvCell).join(',') + '\r\n';

export const INCIDENT_CSV_HEADER = [
  'Reference',
  'Tenant',
  'Title',
  'Severity',
  'Status',
  'Acknowledged',
  'Acknowledged at',
  'Owner',
  'Services',
  'Regions',
  'Impacted users',
  'First noticed at',
  'Declared at',
  'Initial response',
  'Initial response due',
  'Restoration',
  'Restoration due',
  'Next status update due',
  'Resolved at',
  'Error codes',
];

const clockState = (c: SlaClock) => (c.state === 'breached' && !c.owned ? 'past reference time (informational)' : c.state.replace('_', ' '));

/** One incident as a CSV line, columns as in INCIDENT_CSV_HEADER; instants in ISO 8601 UTC. */
export function incidentCsvRow(i: Incident): string {
  const { initialResponse, restoration, statusUpdate } = i.sla.clocks;
  return csvRow([
    i.reference,
    i.tenant.displayName,
    i.title,
    i.severity.replace('sev', 'Sev '),
    i.status.replace(/_/g, ' '),
    i.acknowledgedAt ? 'yes' : 'no',
    i.acknowledgedAt,
    i.acknowledgedBy?.label ?? '',
    i.services.join('; '),
    i.regions.join('; '),
    i.impactedUsers,
    i.firstNoticedAt,
    i.declaredAt,
    clockState(initialResponse),
    initialResponse.dueAt,
    clockState(restoration),
    restoration.dueAt,
    statusUpdate.state === 'running' || statusUpdate.state === 'breached' ? statusUpdate.dueAt : '',
    i.resolvedAt,
    i.errorCodes.join('; '),
  ]);
}
