import type { IncidentStatus, Severity } from '@portal/contracts';
import type { ClockKind } from '@portal/sla';
import type { GovernanceEvent } from '../../api/types';
import { CLOCK_LABELS, OWNS_CLOCK, type Audience } from '../../lib/clocks';
import { humanize, SEVERITY_SHORT, STATUS_LABELS } from '../../lib/labels';
import { formatTime } from '../../lib/time';

/** What an audit row says besides "who did what": the change ("Investigating → Waiting on customer"), the other details, the reason. */
export interface EventDetails {
  parts: string[];
  reason: string | null;
}

type ValueKind = 'status' | 'severity' | 'count' | 'time' | 'clock' | 'plain';

/** What `from` and `to` hold in the events that change one attribute of an incident. */
const CHANGE_KINDS: Record<string, ValueKind> = {
  'incident.status_changed': 'status',
  'incident.severity_changed': 'severity',
  'incident.impact_changed': 'count',
};

/** A posted status update moves the status to the update's `state` (the action's old name is still in older rows). */
const STATUS_UPDATE_ACTIONS = new Set(['incident.status_updated', 'incident.status_update_posted']);

/** Details the incident page already shows: every incident event carries the reference in its payload (older declarations as `number`). */
const redundant = (action: string) => new Set(action === 'incident.declared' ? ['reference', 'number'] : ['reference']);

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

const isChange = (v: unknown): v is { from: unknown; to: unknown } => !!v && typeof v === 'object' && !Array.isArray(v) && 'from' in v && 'to' in v;

/** Keys whose plain words are not their name. */
const KEY_LABELS: Record<string, string> = { restarted: 'clocks started again' };

/** `impactedUsers` → "impacted users", `sla.clock` → "sla clock". */
const keyLabel = (k: string) => KEY_LABELS[k] ?? humanize(k.replace(/([a-z0-9])([A-Z])/g, '$1 $2')).toLowerCase();

function kindOf(action: string, key: string): ValueKind {
  if (key === 'from' || key === 'to') return CHANGE_KINDS[action] ?? (action.startsWith('incident.') ? 'status' : 'plain');
  if (key === 'status' || key === 'state') return 'status';
  if (key === 'severity') return 'severity';
  if (key === 'impactedUsers') return 'count';
  if (key === 'clock' || key === 'restarted') return 'clock';
  if (/At$/.test(key)) return 'time';
  return 'plain';
}

function formatValue(kind: ValueKind, v: unknown): string {
  if (kind === 'status' && typeof v === 'string') return STATUS_LABELS[v as IncidentStatus] ?? humanize(v);
  if (kind === 'severity' && typeof v === 'string') return SEVERITY_SHORT[v as Severity] ?? v;
  if (kind === 'count' && typeof v === 'number') return v.toLocaleString('en-US');
  if (kind === 'time' && typeof v === 'string') return formatTime(v);
  if (kind === 'clock' && typeof v === 'string') return CLOCK_LABELS[v as ClockKind] ?? humanize(v);
  if (kind === 'clock' && Array.isArray(v)) return v.map((x) => formatValue('clock', x)).join(', ');
  return formatDetail(v);
}

const change = (kind: ValueKind, from: unknown, to: unknown) => `${formatValue(kind, from)} → ${formatValue(kind, to)}`;

/**
 * The details of an audit row in plain words. Reads both shapes of incident changes: the typed events
 * (`incident.status_changed` and co., `{reference, from, to, reason?}`) and the older `incident.updated`
 * (`{status: {from, to}, severity: {from, to}, impactedUsers: {from, to}, reason?}`).
 */
export function describeEventDetails(e: Pick<GovernanceEvent, 'action' | 'subjectId' | 'details'>, audience: Audience = 'customer'): EventDetails {
  const d = e.details ?? {};
  const parts: string[] = [];
  const done = redundant(e.action);
  const reason = typeof d.reason === 'string' && d.reason.trim() ? d.reason.trim() : null;
  if (reason !== null) done.add('reason');

  if ('from' in d && 'to' in d) {
    // One attribute changed: the action's label names it ("changed the severity"), the row shows how.
    parts.push(change(kindOf(e.action, 'from'), d.from, d.to));
    done.add('from').add('to');
  } else if (STATUS_UPDATE_ACTIONS.has(e.action) && typeof d.state === 'string') {
    // A posted update sets the status to its state: "Investigating → Identified", or just "Identified" when it stays.
    parts.push(typeof d.from === 'string' && d.from !== d.state ? change('status', d.from, d.state) : formatValue('status', d.state));
    done.add('state').add('from');
  }

  if (e.action.startsWith('sla.') && ('owned' in d || 'informational' in d)) {
    // Mode C data plane: the customer's runbook applies, so a breach is for reference only.
    if (d.owned === false || d.informational === true) parts.push(`informational: ${OWNS_CLOCK[audience]}, not a Claresia breach`);
    done.add('owned').add('informational');
  }

  for (const [k, v] of Object.entries(d)) {
    if (done.has(k) || isEmpty(v)) continue;
    // The subject's own id (the status update, the reply) says nothing more than the row itself.
    if (/Id$/.test(k) && v === e.subjectId) continue;
    parts.push(`${keyLabel(k)}: ${isChange(v) ? change(kindOf(e.action, k), v.from, v.to) : formatValue(kindOf(e.action, k), v)}`);
  }
  return { parts, reason };
}

function formatDetail(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(formatDetail).join(', ');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('from' in o && 'to' in o) return `${formatDetail(o.from)} → ${formatDetail(o.to)}`;
    return Object.entries(o)
      .map(([k, x]) => `${k} ${formatDetail(x)}`)
      .join(', ');
  }
  return '';
}
