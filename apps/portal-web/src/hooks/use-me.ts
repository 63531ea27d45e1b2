import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Me } from '../api/types';

export const ME_KEY = ['me'] as const;

/** Who is signed in; null when nobody is (401). */
export function useMe() {
  return useQuery<Me | null>({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return await api.me();
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
  });
}

/** The signed-in principal; only for pages rendered inside the signed-in shell. */
export function useSignedIn(): Me {
  const { data } = useMe();
  if (!data) throw new Error('useSignedIn outside the signed-in shell');
  return data;
}

const LAST_TENANT = 'portal.lastTenant';
export const rememberTenant = (slug: string) => {
  try {
    localStorage.setItem(LAST_TENANT, slug);
  } catch {
    /* private mode: nothing to remember */
  }
};
export const lastTenant = (): string | null => {
  try {
    return localStorage.getItem(LAST_TENANT);
  } catch {
    return null;
  }
};
