import type { IncidentDetail } from '../../api/types';

/** Still being worked on: neither resolved nor closed. */
export const isActive = (i: IncidentDetail) => i.status !== 'resolved' && i.status !== 'closed';
