import { DateTime } from 'luxon';
import type { DomainEventEnvelope, Incident } from '@portal/contracts';
import type { NotifiedEvent } from './notification-plan';

/**
 * What every channel says about an incident event, as plain data: the channels format it (Slack blocks, email
 * templates, webhook JSON). Times are given in the tenant's zone (the recipients' zone) and in UTC.
 */
export interface IncidentMessage {
  tenantName: string;
  reference: string;
  title: string;
  severity: string;
  status: string;
  headline: string;
  detail: string | null;
  link: string;
  hotline: string | null;
  timezone: string;
  clocks: { name: string; state: string; due: string | null }[];
}

const SEV = (s: string) => s.replace('sev', 'Sev');
const CLOCK_NAMES: Record<string, string> = {
  initialResponse: 'Initial response',
  restoration: 'Restoration',
  statusUpdate: 'Next status update',
  pirDue: 'Post-incident review',
};

export function localTime(isoInstant: string, zone: string): string {
  const d = DateTime.fromISO(isoInstant, { zone });
  return `${d.toFormat('ccc d LLL yyyy, HH:mm ZZZZ')} (${DateTime.fromISO(isoInstant, { zone: 'utc' }).toFormat('HH:mm')} UTC)`;
}

export function headlineOf(event: DomainEventEnvelope, inc: Incident): { headline: string; detail: string | null } {
  const p = event.payload as Record<string, any>;
  const who = event.actor.label;
  switch (event.type as NotifiedEvent | 'incident.escalated' | 'incident.status_update_reminder' | 'incident.intake_chased') {
    case 'incident.declared':
      return { headline: `${SEV(inc.severity)} declared by ${who}`, detail: null };
    case 'incident.acknowledged':
      return { headline: `Acknowledged by ${who} after ${p.responseMinutes} min`, detail: null };
    case 'incident.status_updated':
      return { headline: `Status update: ${p.state}`, detail: `Posted by ${who}` };
    case 'incident.status_changed':
      return { headline: `Status changed from ${p.from} to ${p.to}`, detail: p.reason ?? null };
    case 'incident.severity_changed': {
      const response = inc.sla.clocks.initialResponse.target;
      const restoration = inc.sla.clocks.restoration.target;
      return {
        headline: `Severity changed from ${SEV(p.from)} to ${SEV(p.to)}`,
        detail: `${p.reason ? `Reason: ${p.reason}. ` : ''}New targets: initial response ${targetText(response)}, restoration ${targetText(restoration)}.`,
      };
    }
    case 'incident.resolved':
      return { headline: `Resolved by ${who}`, detail: inc.resolutionSummary };
    case 'incident.reopened':
      return { headline: `Reopened by ${who}`, detail: p.reason ?? null };
    case 'sla.warning':
      return { headline: `SLA warning: ${p.clock.replace('_', ' ')} due in ${p.minutesLeft} min`, detail: null };
    case 'sla.breached':
      return { headline: `SLA breached: ${p.clock.replace('_', ' ')}${p.informational ? ' (informational)' : ''}`, detail: null };
    case 'pir.published': {
      // The summary and the links travel in the event (pir.published); older events have neither.
      const links = p.links as { pir: string; pdf: string } | undefined;
      const parts = [p.summary ? String(p.summary) : null, links ? `PDF: ${links.pdf}` : null, links ? `Review: ${links.pir}` : null];
      return { headline: `Post-incident review published (version ${p.version})`, detail: parts.filter(Boolean).join('\n\n') || null };
    }
    case 'incident.escalated':
      return {
        headline: `Escalated to ${p.target}: ${SEV(p.severity)} ${p.condition} for ${p.afterMinutes} min`,
        detail: `Step ${p.step} of the escalation ladder.`,
      };
    case 'incident.status_update_reminder':
      return { headline: `Reminder: a status update is due ${localTime(p.dueAt, 'UTC')}`, detail: 'No update was posted since the last one.' };
    case 'incident.intake_chased':
      return {
        headline: `Details still needed: ${(p.missing as string[]).length} of the declaration's fields`,
        detail: `The incident was declared with the quick form. Still missing: ${(p.missing as string[]).join(', ')}. Add them on the incident page so the support engineers can work on it.`,
      };
    default:
      return { headline: event.type, detail: null };
  }
}

const targetText = (t: { label: string }): string => t.label;

export function incidentMessage(
  event: DomainEventEnvelope,
  inc: Incident,
  o: { publicUrl: string; hotline: string | null; timezone: string },
): IncidentMessage {
  const { headline, detail } = headlineOf(event, inc);
  return {
    tenantName: inc.tenant.displayName,
    reference: inc.reference,
    title: inc.title,
    severity: SEV(inc.severity),
    status: inc.status.replace(/_/g, ' '),
    headline,
    detail,
    link: `${o.publicUrl.replace(/\/$/, '')}/incidents/${inc.id}`,
    hotline: o.hotline,
    timezone: o.timezone,
    clocks: Object.entries(inc.sla.clocks)
      .filter(([, c]) => c.state !== 'not_applicable')
      .map(([k, c]) => ({ name: CLOCK_NAMES[k] ?? k, state: c.state.replace(/_/g, ' '), due: c.dueAt ? localTime(c.dueAt, o.timezone) : null })),
  };
}
