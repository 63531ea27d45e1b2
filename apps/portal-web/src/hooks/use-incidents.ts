import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ListIncidentsQuery } from '@portal/contracts';
import { api } from '../api/endpoints';
import type { IncidentDetail } from '../api/types';

const PAGE = 50;
// New incidents and updates appear without a reload; the clocks themselves tick locally.
const REFRESH_MS = 30_000;

export function useIncidentList(filters: Omit<ListIncidentsQuery, 'cursor' | 'limit'>) {
  return useInfiniteQuery({
    queryKey: ['incidents', filters],
    queryFn: ({ pageParam }) => api.incidents({ ...filters, limit: PAGE, cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: REFRESH_MS,
  });
}

export const incidentKey = (id: string) => ['incident', id] as const;

export function useIncident(id: string) {
  return useQuery({ queryKey: incidentKey(id), queryFn: () => api.incident(id), refetchInterval: REFRESH_MS });
}

export function useIncidentEvents(id: string) {
  return useQuery({ queryKey: [...incidentKey(id), 'events'], queryFn: () => api.incidentEvents(id), refetchInterval: REFRESH_MS });
}

/** A change to one incident: the answer replaces the cached incident, the list and the audit trail refresh. */
export function useIncidentMutation<V>(id: string, fn: (vars: V) => Promise<IncidentDetail>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (data) => {
      qc.setQueryData(incidentKey(id), data);
      void qc.invalidateQueries({ queryKey: [...incidentKey(id), 'events'] });
      void qc.invalidateQueries({ queryKey: ['incidents'] });
    },
  });
}
