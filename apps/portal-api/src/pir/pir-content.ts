import type { IncidentDetail, PirActionItem, PirHubRecord, PirSectionKey, PirSlaOutcome, PirTimelineEntry, PirView } from '@portal/contracts';
import { PIR_SECTIONS } from '@portal/contracts';
import type { PirDocumentModel } from '@portal/pir-pdf';
import type { ClockRun } from '@portal/sla';

/**
 * What a review is made of, from what the portal knows: pure functions of the incident detail (no database),
 * tested with plain cases.
 */

const CLOCK_NAMES: Record<ClockRun['clock'], string> = {
  initial_response: 'Initial response',
  restoration: 'Restoration',
  pir_due: 'Post-incident review',
};
const SEV = (s: string) => s.replace(/^sev/, 'Sev');

export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (!d && !h) return `${m} min`;
  const parts = d ? [`${d} d`, h ? `${h} h` : ''] : [`${h} h`, m ? `${m} min` : ''];
  return parts.filter(Boolean).join(' ');
}

const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** The timeline: declaration, acknowledgement, status updates, severity and impact changes, breaches, resolution. */
export function timelineOf(inc: IncidentDetail): PirTimelineEntry[] {
  const rows: { at: string; kind: string; text: string }[] = [];
  rows.push({ at: inc.declaredAt, kind: 'Declared', text: `${SEV(inc.severity)} declared by ${inc.declaredBy.label}: ${inc.title}` });
  if (inc.acknowledgedAt) rows.push({ at: inc.acknowledgedAt, kind: 'Acknowledged', text: `Acknowledged by ${inc.acknowledgedBy?.label ?? 'support'}` });
  for (const u of inc.statusUpdates) rows.push({ at: u.createdAt, kind: `Status: ${u.state}`, text: u.body });
  for (const c of inc.severityChanges) rows.push({ at: c.at, kind: 'Severity changed', text: `${SEV(c.from)} → ${SEV(c.to)} by ${c.by.label}: ${c.reason}` });
  inc.impactedUserHistory.forEach((h, i) => {
    if (i === 0) return; // the declaration's count is in the impact section
    rows.push({ at: h.recordedAt, kind: 'Impact', text: `Impacted users: ${h.count} (recorded by ${h.recordedBy})` });
  });
  for (const b of inc.slaBreaches) {
    rows.push({
      at: b.detectedAt,
      kind: 'SLA breach',
      text: `${CLOCK_NAMES[b.clock as ClockRun['clock']] ?? b.clock} clock breached${b.informational ? ' (informational)' : ''}`,
    });
  }
  if (inc.resolvedAt) rows.push({ at: inc.resolvedAt, kind: 'Resolved', text: inc.resolutionSummary ?? 'Resolved' });
  return rows
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.i - b.i)
    .map(({ at, kind, text }) => ({ at: utc(at), kind, text }));
}

/**
 * Every run of every committed clock, including runs a severity change ended (a breach before the change stays a
 * breach). `pirDeliveredAt`: the instant the review is being published, when the incident does not show it yet.
 */
export function slaOutcomesOf(inc: IncidentDetail, pirDeliveredAt?: Date): PirSlaOutcome[] {
  return inc.clockHistory.runs.map((r) => {
    let outcome: string = r.outcome;
    let detail: string | null = null;
    if (r.clock === 'pir_due' && pirDeliveredAt && r.outcome === 'running') {
      const late = r.dueAt ? pirDeliveredAt.getTime() - Date.parse(r.dueAt) : -1;
      outcome = late > 0 ? 'breached' : 'met';
      detail = late > 0 ? `delivered ${formatDuration(late)} late` : 'delivered on time';
    } else if (r.outcome === 'breached') {
      detail = r.overdueMs ? `${formatDuration(r.overdueMs)} past due` : null;
    } else if (r.outcome === 'met' && r.endedAt) {
      detail = `after ${formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt) - r.pausedMs)}`;
    } else if (r.outcome === 'superseded') {
      detail = r.endedBy === 'severity_change' ? 'ended by a severity change' : 'ended by a reopen';
    }
    if (r.informational) detail = `${detail ? `${detail}; ` : ''}informational (customer-owned data plane)`;
    const label = outcome.charAt(0).toUpperCase() + outcome.slice(1);
    return { clock: `${CLOCK_NAMES[r.clock]} (${SEV(r.severity)})`, target: r.target.label, outcome: label, detail };
  });
}

/** The sections a new review starts with: what the incident record already says. */
export function prefilledSections(inc: IncidentDetail): Record<PirSectionKey, string> {
  const duration = inc.resolvedAt ? formatDuration(Date.parse(inc.resolvedAt) - Date.parse(inc.declaredAt)) : null;
  const peak = Math.max(inc.impactedUsers ?? 0, ...inc.impactedUserHistory.map((h) => h.count));
  return {
    summary:
      `${SEV(inc.severity)} incident ${inc.reference} (${inc.services.join(', ')}) was declared on ${utc(inc.declaredAt)}` +
      `${duration ? ` and resolved after ${duration}` : ''}.\n\n${inc.resolutionSummary ?? ''}`.trimEnd(),
    timeline: 'Times in UTC, from the portal record.',
    root_cause: '',
    impact: `Up to ${peak} users were impacted in ${inc.regions.join(', ')}.\n\nSymptoms reported: ${inc.symptoms ?? 'not given (quick declaration)'}`,
    remediation: inc.resolutionSummary ?? '',
    lessons: '',
    went_well: '',
    could_improve: '',
  };
}

/** The document the PDF renderer prints. */
export function documentModel(inc: IncidentDetail, pir: PirView, author: string): PirDocumentModel {
  return {
    tenant: { name: inc.tenant.displayName, logoDataUrl: null },
    incident: {
      reference: inc.reference,
      title: inc.title,
      severity: SEV(inc.severity),
      service: inc.services.join(', '),
      status: inc.status,
      declaredAt: utc(inc.declaredAt),
      acknowledgedAt: inc.acknowledgedAt ? utc(inc.acknowledgedAt) : null,
      resolvedAt: inc.resolvedAt ? utc(inc.resolvedAt) : null,
      duration: inc.resolvedAt ? formatDuration(Date.parse(inc.resolvedAt) - Date.parse(inc.declaredAt)) : null,
    },
    review: { version: pir.version, status: pir.status, author, publishedAt: pir.publishedAt ? utc(pir.publishedAt) : null },
    sections: PIR_SECTIONS.map((s) => ({ key: s.key, title: s.title, markdown: pir.sections[s.key] ?? '' })),
    timeline: pir.timeline,
    actionItems: pir.actionItems.map((a: PirActionItem) => ({
      action: a.action,
      owner: a.owner,
      priority: a.priority,
      dueDate: a.dueDate,
      status: a.status.replace('_', ' '),
    })),
    slaOutcomes: pir.slaOutcomes,
  };
}

/** The Hub output record (skill `gatespic.incident-postmortem`, schema version 1; README documents it). */
export function hubRecordOf(inc: IncidentDetail, pir: PirView, publishedBy: string, baseUrl: string): PirHubRecord {
  const incidentUrl = `${baseUrl}/incidents/${inc.id}`;
  return {
    kind: 'gatespic.incident-postmortem',
    schemaVersion: 1,
    tenant: { id: inc.tenant.id, slug: inc.tenant.slug, name: inc.tenant.displayName },
    incident: {
      id: inc.id,
      reference: inc.reference,
      title: inc.title,
      severity: inc.severity,
      services: inc.services,
      declaredAt: inc.declaredAt,
      resolvedAt: inc.resolvedAt,
    },
    review: { id: pir.id, version: pir.version, publishedAt: pir.publishedAt!, publishedBy },
    sections: PIR_SECTIONS.map((s) => ({ key: s.key, title: s.title, markdown: pir.sections[s.key] ?? '' })),
    timeline: pir.timeline,
    actionItems: pir.actionItems,
    slaOutcomes: pir.slaOutcomes,
    links: { pir: `${incidentUrl}/pir`, pdf: `${baseUrl}/api/v1/incidents/${inc.id}/pir.pdf`, incident: incidentUrl },
  };
}
