import { randomUUID } from 'node:crypto';
import { Accounts } from '../apps/portal-api/src/auth/accounts.service';
import { TenantOnboardingService } from '../apps/portal-api/src/tenants/tenant-onboarding.service';
import { createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

/** Operator onboarding (the CLI's commands): tenants with their country's holidays, CSM assignments. */
describe('tenant onboarding', () => {
  let t: TestApp;
  let onboarding: TenantOnboardingService;
  let accounts: Accounts;
  beforeAll(async () => {
    t = await createTestApp({ now: '2026-12-07T10:00:00Z' });
    onboarding = t.app.get(TenantOnboardingService);
    accounts = t.app.get(Accounts);
  });
  afterAll(() => t.close());

  it("creates a tenant whose calendar carries its country's public holidays, and business-day clocks skip them", async () => {
    const slug = `it-${randomUUID().slice(0, 6)}`;
    const tenant = await onboarding.create({ slug, displayName: 'Italia SpA', serviceMode: 'B', timezone: 'Europe/Rome', country: 'IT' });
    expect(tenant.calendar.holidays).toEqual(expect.arrayContaining(['2026-12-08', '2026-12-25', '2027-01-06']));
    // Monday 7 Dec 2026, 11:00 in Rome; Tuesday 8 Dec is the Immaculate Conception: 1 business day → Wednesday 11:00.
    const res = await t.http
      .post('/api/v1/incidents')
      .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
      .send(validIntake({ severity: 'sev3' }))
      .expect(201);
    expect(res.body.sla.clocks.initialResponse.dueAt).toBe('2026-12-09T10:00:00.000Z');
    await expect(onboarding.create({ slug, displayName: 'again', serviceMode: 'B', timezone: 'Europe/Rome' })).rejects.toThrow(/exists already/);
  });

  it('refuses bad input field by field', async () => {
    await expect(onboarding.create({ slug: 'Not A Slug', displayName: '', serviceMode: 'D', timezone: 'Europe/Rome' })).rejects.toMatchObject({
      fields: expect.arrayContaining([
        expect.objectContaining({ field: 'slug' }),
        expect.objectContaining({ field: 'displayName' }),
        expect.objectContaining({ field: 'serviceMode' }),
      ]),
    });
    await expect(onboarding.create({ slug: `x-${randomUUID().slice(0, 6)}`, displayName: 'X', serviceMode: 'A', timezone: 'Mars/Base' })).rejects.toMatchObject(
      { fields: [expect.objectContaining({ field: 'timezone' })] },
    );
  });

  it('assigns a CSM to a tenant so they see its incidents, and takes it away again', async () => {
    const tenant = await onboarding.create({ slug: `c-${randomUUID().slice(0, 6)}`, displayName: 'Csm Co', serviceMode: 'C', timezone: 'America/New_York' });
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', `Bearer ${await tokenFor(t.app, tenant.id)}`)
        .send(validIntake({ plane: 'control_plane' }))
        .expect(201)
    ).body;
    const email = `csm-${randomUUID().slice(0, 6)}@claresia.example`;
    const csm = await signIn(t, { role: 'csm', email });
    await csm.agent.get(`/api/v1/incidents/${inc.id}`).expect(404);
    await accounts.assignCsm(email, tenant.slug, true);
    const again = await signIn(t, { role: 'csm', email });
    await again.agent.get(`/api/v1/incidents/${inc.id}`).expect(200);
    await accounts.assignCsm(email, tenant.slug, false);
    await again.agent.get(`/api/v1/incidents/${inc.id}`).expect(404);
    await expect(accounts.assignCsm('nobody@claresia.example', tenant.slug, true)).rejects.toThrow(/first sign-in/);
  });
});
