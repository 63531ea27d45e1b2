import { ALL_TENANTS, NoTenantContext, TenantContext } from './tenant-context';

describe('TenantContext', () => {
  const actor = { kind: 'user' as const, id: 'u1', label: 'U', role: 'customer_admin', homeTenantId: 't1' };

  it('throws outside a context instead of meaning "every tenant"', () => {
    expect(() => TenantContext.tenantIds()).toThrow(NoTenantContext);
    expect(() => TenantContext.actor()).toThrow(NoTenantContext);
    expect(TenantContext.maybeStore()).toBeUndefined();
  });

  it('throws inside a request whose guard has not resolved the tenant yet', () => {
    TenantContext.run({ requestId: 'r', ip: null, userAgent: null }, () => {
      expect(() => TenantContext.tenantIds()).toThrow(/tenant scope/);
    });
  });

  it('keeps each concurrent unit of work in its own tenant across awaits', async () => {
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((t, i) =>
        TenantContext.runAs({ ...actor, homeTenantId: t }, [t], async () => {
          await new Promise((r) => setImmediate(r));
          await new Promise((r) => setTimeout(r, 3 - i));
          return TenantContext.tenantIds()[0];
        }),
      ),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('deduplicates the scope the guard enters', () => {
    TenantContext.run({ requestId: 'r', ip: null, userAgent: null }, () => {
      TenantContext.enter(actor, ['t1', 't1', 't2']);
      expect(TenantContext.tenantIds()).toEqual(['t1', 't2']);
      expect(TenantContext.actor().id).toBe('u1');
    });
  });

  it('represents every tenant as a scope, not a list', () => {
    TenantContext.run({ requestId: 'r', ip: null, userAgent: null }, () => {
      TenantContext.enter({ ...actor, kind: 'staff', role: 'support_engineer', homeTenantId: null }, ALL_TENANTS);
      expect(TenantContext.scope()).toEqual({ tenantIds: [], allTenants: true });
      expect(TenantContext.reaches('any-tenant')).toBe(true);
      TenantContext.enter(actor, ['t1']);
      expect(TenantContext.reaches('t1')).toBe(true);
      expect(TenantContext.reaches('t2')).toBe(false);
    });
  });
});
