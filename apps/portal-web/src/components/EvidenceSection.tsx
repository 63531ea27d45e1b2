import type { IncidentDetail } from '../api/types';

/**
 * SLOT: evidence uploads (HAR files, screenshots, governance_event exports) for an incident.
 * A colleague fills this in; until then it renders nothing. The incident page already places it.
 */
export function EvidenceSection(_props: { incident: IncidentDetail }) {
  return null;
}
