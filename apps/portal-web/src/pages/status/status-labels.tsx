import { Badge } from '@mantine/core';
import type { ComponentState } from '@portal/contracts';

export const STATE_LABELS: Record<ComponentState, string> = {
  operational: 'Operational',
  maintenance: 'Maintenance',
  degraded: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
};

/** Text colours chosen for contrast on their backgrounds (WCAG AA), so the state never depends on colour alone. */
const STATE_COLOURS: Record<ComponentState, { bg: string; fg: string; bar: string }> = {
  operational: { bg: '#e6f4ea', fg: '#1e4620', bar: '#2f9e44' },
  maintenance: { bg: '#e7f0fb', fg: '#0b3d91', bar: '#1c7ed6' },
  degraded: { bg: '#fff4ce', fg: '#5c4400', bar: '#f59f00' },
  partial_outage: { bg: '#fde7d9', fg: '#7a2e00', bar: '#e8590c' },
  major_outage: { bg: '#fbe3e3', fg: '#8a1111', bar: '#c92a2a' },
};

export const stateBar = (s: ComponentState) => STATE_COLOURS[s].bar;

export function StateBadge({ state, size = 'md' }: { state: ComponentState; size?: 'sm' | 'md' | 'lg' }) {
  const c = STATE_COLOURS[state];
  return (
    <Badge size={size} data-state={state} styles={{ root: { background: c.bg, color: c.fg, textTransform: 'none' } }}>
      {STATE_LABELS[state]}
    </Badge>
  );
}

export const statusLabel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ');

export const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
