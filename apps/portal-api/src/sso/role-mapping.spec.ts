import { claimValues, resolveRole } from './role-mapping';
import type { RoleMapping } from './sso.types';

type R = 'customer_admin' | 'customer_viewer';
const RANK: R[] = ['customer_admin', 'customer_viewer'];
const mapping: RoleMapping<R> = {
  claim: 'groups',
  rules: [
    { value: 'portal-admins', role: 'customer_admin' },
    { value: 'portal-users', role: 'customer_viewer' },
  ],
  defaultRole: null,
};

describe('role mapping from identity-provider claims', () => {
  it.each<[string, Record<string, unknown>, R | null]>([
    ['a matching group', { groups: ['portal-users'] }, 'customer_viewer'],
    ['the most privileged of several matches', { groups: ['portal-users', 'portal-admins'] }, 'customer_admin'],
    ['a single-valued attribute', { groups: 'portal-admins' }, 'customer_admin'],
    ['no matching group and no default', { groups: ['finance'] }, null],
    ['no claim at all', {}, null],
    ['a claim of the wrong shape', { groups: { admin: true } }, null],
  ])('maps %s', (_name, claims, expected) => {
    expect(resolveRole(mapping, claims, RANK).role).toBe(expected);
  });

  it('falls back to the default role when nothing matches', () => {
    expect(resolveRole({ ...mapping, defaultRole: 'customer_viewer' }, { groups: ['finance'] }, RANK)).toEqual({ role: 'customer_viewer', matched: [] });
  });

  it('reads numbers and strings from lists and ignores the rest', () => {
    expect(claimValues({ g: ['a', 1, null, { x: 1 }] }, 'g')).toEqual(['a', '1']);
  });
});
