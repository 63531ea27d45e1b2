import { Badge, Tooltip } from '@mantine/core';
import type { IncidentPirDue, IncidentStatus, Severity } from '@portal/contracts';
import { SEVERITY_DEFINITIONS } from '@portal/contracts/constants';
import { SEVERITY_SHORT, STATUS_LABELS } from '../lib/labels';

// Colours chosen for at least 4.5:1 contrast with their text.
const SEVERITY_STYLE: Record<Severity, { bg: string; fg: string }> = {
  sev1: { bg: '#b3261e', fg: '#ffffff' },
  sev2: { bg: '#b54708', fg: '#ffffff' },
  sev3: { bg: '#fff1c2', fg: '#5c4400' },
  sev4: { bg: '#e3edf9', fg: '#1d3f73' },
};

export function SeverityBadge({ severity, size = 'md' }: { severity: Severity; size?: 'sm' | 'md' | 'lg' }) {
  const s = SEVERITY_STYLE[severity];
  return (
    <Tooltip label={`${SEVERITY_DEFINITIONS[severity].name}: ${SEVERITY_DEFINITIONS[severity].definition}`} withArrow>
      <Badge size={size} styles={{ root: { background: s.bg, color: s.fg, border: severity === 'sev3' ? '1px solid #e9c75a' : undefined } }}>
        {SEVERITY_SHORT[severity]}
      </Badge>
    </Tooltip>
  );
}

const STATUS_STYLE: Record<IncidentStatus, { bg: string; fg: string; border: string }> = {
  declared: { bg: '#fdecea', fg: '#8c1d18', border: '#f3b8b2' },
  acknowledged: { bg: '#eef2fb', fg: '#243f8f', border: '#b6c4ea' },
  investigating: { bg: '#eef2fb', fg: '#243f8f', border: '#b6c4ea' },
  identified: { bg: '#eef2fb', fg: '#243f8f', border: '#b6c4ea' },
  monitoring: { bg: '#e6f4ea', fg: '#1b5e20', border: '#a8d5b5' },
  waiting_on_customer: { bg: '#fff4e0', fg: '#7a4100', border: '#f5c26b' },
  resolved: { bg: '#e6f4ea', fg: '#1b5e20', border: '#a8d5b5' },
  closed: { bg: '#f1f3f5', fg: '#3d434a', border: '#dee2e6' },
};

// h2b-pir-publish: a review owed by a resolved incident (seed 000: within 5 business days of resolution).
const PIR_STYLE = {
  due: { bg: '#fff4e0', fg: '#7a4100', border: '#f5c26b' },
  overdue: { bg: '#b3261e', fg: '#ffffff', border: '#b3261e' },
};

/** "PIR due in N business days" / "PIR overdue"; nothing when no review is owed. */
export function PirDueBadge({ pir, size = 'md' }: { pir: IncidentPirDue; size?: 'sm' | 'md' }) {
  if (pir.state !== 'due' && pir.state !== 'overdue') return null;
  const s = PIR_STYLE[pir.state];
  const n = pir.businessDaysLeft ?? 0;
  const label = pir.state === 'overdue' ? 'PIR overdue' : `PIR due in ${n} business day${n === 1 ? '' : 's'}`;
  return (
    <Badge
      size={size}
      variant="outline"
      data-testid="pir-due"
      data-pir={pir.state}
      tt="none"
      styles={{ root: { background: s.bg, color: s.fg, borderColor: s.border } }}
    >
      {label}
    </Badge>
  );
}

export function StatusBadge({ status, size = 'md', testId }: { status: IncidentStatus; size?: 'sm' | 'md' | 'lg'; testId?: string }) {
  const s = STATUS_STYLE[status];
  return (
    <Badge size={size} variant="outline" data-testid={testId} data-status={status} styles={{ root: { background: s.bg, color: s.fg, borderColor: s.border } }}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}
