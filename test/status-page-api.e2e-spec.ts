import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { StaffPublicIncidentView, StatusPageView } from '@portal/contracts';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { sessionCaller, Caller } from './support/route-cases';
import { ownerQuery } from './support/status-page';
import { createTenant, createTestApp, TestApp, tokenFor, validIntake } from './support/test-app';

/** The public status page: components, public incidents, maintenance, uptime, feeds; staff-only changes; no tenant data. */
describe('status page: page, staff changes and feeds', () => {
  let t: TestApp;
  let staff: Caller;
  beforeAll(async () => {
    t = await createTestApp();
    staff = await sessionCaller(t, 'support_engineer');
  });
  afterAll(() => t.close());

  const page = async () => (await t.http.get('/api/v1/status').expect(200)).body as StatusPageView;
  const component = (p: StatusPageView, service: string, region: string) =>
    p.services.find((s) => s.service === service)!.components.find((c) => c.region === region)!;
  /** Components are shared by every suite of a run (the fuzzer and the matrix post too): a test sets what it asserts on. */
  const reset = async (...refs: [string, string][]) => {
    const p = await page();
    for (const [service, region] of refs) {
      await t.http
        .put(`/api/v1/status-page/components/${component(p, service, region).id}`)
        .set(staff.changeHeaders)
        .send({ state: 'operational' })
        .expect(200);
    }
  };
  const postIncident = async (body: Record<string, unknown>) =>
    (await t.http.post('/api/v1/status-page/incidents').set(staff.changeHeaders).send(body).expect(201)).body as StaffPublicIncidentView;

  it('answers without sign-in: seven services × two regions, each with 90 days of uptime', async () => {
    const p = await page();
    expect(p.services.map((s) => s.service)).toEqual([
      'Identity',
      'Distribution',
      'Hub',
      'Telemetry',
      'Command Center',
      'Onboarding Portal',
      'Documentation site',
    ]);
    for (const s of p.services) {
      expect(s.components.map((c) => `${c.region} ${c.regionName}`)).toEqual(['eu-south-1 Milano', 'eu-central-1 Frankfurt']);
      for (const c of s.components) {
        expect(c.uptime).toHaveLength(90);
        expect(c.uptime[89].date).toBe('2026-11-23');
      }
    }
  });

  it('only vendor staff change it: anonymous 401, a customer admin 403, bad input 400 naming the field', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const body = { title: 'x', body: 'y', impact: 'degraded', components: [{ service: 'Hub', region: 'eu-south-1' }] };
    await t.http.post('/api/v1/status-page/incidents').send(body).expect(401);
    await t.http.post('/api/v1/status-page/incidents').set('Authorization', admin).send(body).expect(403);
    await t.http.get('/api/v1/status-page/posts').set('Authorization', admin).expect(403);
    const bad = await t.http
      .post('/api/v1/status-page/incidents')
      .set(staff.changeHeaders)
      .send({ ...body, impact: 'on fire', components: [{ service: 'Hub', region: 'us-east-1' }] })
      .expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['components.0.region', 'impact']);
    const none = await t.http
      .post('/api/v1/status-page/incidents')
      .set(staff.changeHeaders)
      .send({ ...body, components: [] })
      .expect(400);
    expect(none.body.fields[0]).toMatchObject({ field: 'components' });
  });

  it('a public incident linked to a tenant incident shows its updates and moves its components, and leaks nothing of the tenant', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    const secretTitle = `Secret outage of ${tenant.slug}`;
    await reset(['Telemetry', 'eu-south-1'], ['Telemetry', 'eu-central-1']);
    const inc = (
      await t.http
        .post('/api/v1/incidents')
        .set('Authorization', admin)
        .send(validIntake({ title: secretTitle, services: ['Telemetry'] }))
        .expect(201)
    ).body;

    const posted = await postIncident({
      title: 'Telemetry ingestion delayed',
      body: 'We are investigating delayed telemetry in Milano.',
      impact: 'partial_outage',
      components: [{ service: 'Telemetry', region: 'eu-south-1' }],
      linkedIncidentId: inc.id,
    });
    expect(posted.linkedIncident).toEqual({ id: inc.id, tenantId: tenant.id });
    expect(posted.updates).toHaveLength(1);

    let p = await page();
    expect(component(p, 'Telemetry', 'eu-south-1').state).toBe('partial_outage');
    expect(component(p, 'Telemetry', 'eu-central-1').state).toBe('operational');
    expect(['partial_outage', 'major_outage']).toContain(p.services.find((s) => s.service === 'Telemetry')!.state);
    const active = p.activeIncidents.find((i) => i.id === posted.id)!;
    expect(active).toMatchObject({ title: 'Telemetry ingestion delayed', status: 'investigating', impact: 'partial_outage' });
    expect(active).not.toHaveProperty('linkedIncident');

    // Six hours later it is resolved: the day's uptime shows the outage (half weight), the page moves it to recent.
    t.clock.advance(6 * 3_600_000);
    staff = await sessionCaller(t, 'support_engineer'); // the earlier session went idle
    await t.http
      .post(`/api/v1/status-page/incidents/${posted.id}/updates`)
      .set(staff.changeHeaders)
      .send({ status: 'resolved', body: 'Ingestion caught up.' })
      .expect(201);
    await t.http.post(`/api/v1/status-page/incidents/${posted.id}/updates`).set(staff.changeHeaders).send({ status: 'monitoring', body: 'again' }).expect(409);
    t.clock.advance(2 * 3_600_000);
    staff = await sessionCaller(t, 'support_engineer');
    p = await page();
    const milano = component(p, 'Telemetry', 'eu-south-1');
    expect(milano.state).toBe('operational');
    // A partial outage of 6 hours today (the exact arithmetic is the unit spec's; other suites share the components).
    expect(milano.uptime[89].uptime).toBeLessThan(1);
    expect(['partial_outage', 'major_outage']).toContain(milano.uptime[89].worst);
    expect(p.recent.find((i) => i.id === posted.id)!.updates.map((u) => u.status)).toEqual(['resolved', 'investigating']);
    expect(p.activeIncidents.find((i) => i.id === posted.id)).toBeUndefined();

    // Nothing of the tenant anywhere public: not its id, slug, name, incident id, reference or title.
    const rss = (await t.http.get('/status/history.rss').expect(200)).text;
    const atom = (await t.http.get('/status/history.atom').expect(200)).text;
    for (const text of [JSON.stringify(p), rss, atom]) {
      for (const marker of [tenant.id, tenant.slug, tenant.displayName, inc.id, inc.reference, secretTitle]) expect(text).not.toContain(marker);
    }
    // Staff see the link.
    const staffView = (await t.http.get('/api/v1/status-page/posts').set(staff.headers).expect(200)).body as StaffPublicIncidentView[];
    expect(staffView.find((x) => x.id === posted.id)!.linkedIncident).toEqual({ id: inc.id, tenantId: tenant.id });
  });

  it('refuses to link an incident that does not exist (404), writing nothing', async () => {
    const before = (await page()).activeIncidents.length;
    await t.http
      .post('/api/v1/status-page/incidents')
      .set(staff.changeHeaders)
      .send({
        title: 'x',
        body: 'y',
        impact: 'degraded',
        components: [{ service: 'Hub', region: 'eu-south-1' }],
        linkedIncidentId: '00000000-0000-4000-8000-000000000000',
      })
      .expect(404);
    expect((await page()).activeIncidents.length).toBe(before);
  });

  it('schedules maintenance from seed 002’s template; in progress and completed move the components', async () => {
    await reset(['Documentation site', 'eu-central-1'], ['Documentation site', 'eu-south-1']);
    const m = (
      await t.http
        .post('/api/v1/status-page/maintenance')
        .set(staff.changeHeaders)
        .send({
          startsAt: '2026-11-28T22:00:00Z',
          endsAt: '2026-11-28T23:00:00Z',
          components: [
            { service: 'Documentation site', region: 'eu-central-1' },
            { service: 'Documentation site', region: 'eu-south-1' },
          ],
          expectedImpact: 'The documentation site may answer slowly.',
        })
        .expect(201)
    ).body as StaffPublicIncidentView;
    expect(m).toMatchObject({ kind: 'maintenance', title: 'Scheduled Maintenance - 28 November 2026', status: 'scheduled' });
    expect(m.updates[0].body).toContain('from 22:00 to 23:00 UTC');
    expect(m.updates[0].body).toContain('- Documentation site');
    expect((await page()).maintenance.map((x) => x.id)).toContain(m.id);

    await t.http.post(`/api/v1/status-page/maintenance/${m.id}/updates`).set(staff.changeHeaders).send({ status: 'in_progress', body: 'Started.' }).expect(201);
    expect(component(await page(), 'Documentation site', 'eu-central-1').state).toBe('maintenance');
    await t.http.post(`/api/v1/status-page/maintenance/${m.id}/updates`).set(staff.changeHeaders).send({ status: 'completed', body: 'Done.' }).expect(201);
    const p = await page();
    expect(component(p, 'Documentation site', 'eu-central-1').state).toBe('operational');
    expect(p.maintenance.map((x) => x.id)).not.toContain(m.id);
    // An incident id is not a maintenance id.
    await t.http.post(`/api/v1/status-page/incidents/${m.id}/updates`).set(staff.changeHeaders).send({ status: 'monitoring', body: 'x' }).expect(404);
    const past = await t.http
      .post('/api/v1/status-page/maintenance')
      .set(staff.changeHeaders)
      .send({ startsAt: '2026-11-01T22:00:00Z', endsAt: '2026-11-01T21:00:00Z', components: [{ service: 'Hub', region: 'eu-south-1' }], expectedImpact: 'x' })
      .expect(400);
    expect(past.body.fields[0]).toMatchObject({ field: 'endsAt' });
  });

  it('staff set a component state directly; each change is a governance event without a tenant', async () => {
    await reset(['Hub', 'eu-central-1']);
    const hub = component(await page(), 'Hub', 'eu-central-1');
    const [{ max }] = await ownerQuery<{ max: string }>(`select max(id)::text as max from governance_events`);
    await t.http.put(`/api/v1/status-page/components/${hub.id}`).set(staff.changeHeaders).send({ state: 'degraded', reason: 'slow sync' }).expect(200);
    expect(component(await page(), 'Hub', 'eu-central-1').state).toBe('degraded');
    await t.http.put(`/api/v1/status-page/components/${hub.id}`).set(staff.changeHeaders).send({ state: 'operational' }).expect(200);
    await t.http.put(`/api/v1/status-page/components/00000000-0000-4000-8000-000000000000`).set(staff.changeHeaders).send({ state: 'degraded' }).expect(404);
    const events = await ownerQuery<{ action: string; tenant_id: string | null; actor_kind: string; details: Record<string, unknown> }>(
      `select action, tenant_id, actor_kind, details from governance_events where subject_id = $1 and id > $2 order by id`,
      [hub.id, max],
    );
    expect(events.map((e) => [e.action, e.tenant_id, e.actor_kind, e.details.to])).toEqual([
      ['status_page.component_changed', null, 'staff', 'degraded'],
      ['status_page.component_changed', null, 'staff', 'operational'],
    ]);
  });

  it('feeds are valid RSS 2.0 and Atom, filtered by service and region; an unknown filter is a 400 naming it', async () => {
    await postIncident({
      title: 'Hub sync errors',
      body: 'Investigating Hub in Frankfurt.',
      impact: 'degraded',
      components: [{ service: 'Hub', region: 'eu-central-1' }],
    });
    const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'item' || name === 'entry' });

    const rssText = (
      await t.http
        .get('/status/history.rss')
        .expect(200)
        .expect('content-type', /application\/rss\+xml/)
    ).text;
    expect(XMLValidator.validate(rssText)).toBe(true);
    const rss = parser.parse(rssText).rss;
    expect(rss['@_version']).toBe('2.0');
    const titles = (rss.channel.item as { title: string }[]).map((i) => i.title);
    expect(titles).toContain('Hub sync errors — investigating');
    expect(titles).toContain('Telemetry ingestion delayed — resolved');

    const hubText = (await t.http.get('/status/history.rss').query({ service: 'Hub', region: 'eu-central-1' }).expect(200)).text;
    const hubItems = parser.parse(hubText).rss.channel.item as { title: string }[];
    expect(hubItems.map((i) => i.title)).toContain('Hub sync errors — investigating');
    expect(hubItems.map((i) => i.title).some((x) => x.startsWith('Telemetry'))).toBe(false);
    const milanoHub = parser.parse((await t.http.get('/status/history.rss').query({ service: 'Hub', region: 'eu-south-1' }).expect(200)).text).rss.channel;
    expect((milanoHub.item ?? []).some((i: { title: string }) => i.title === 'Hub sync errors — investigating')).toBe(false);

    const atomText = (
      await t.http
        .get('/status/history.atom')
        .query({ region: 'eu-south-1' })
        .expect(200)
        .expect('content-type', /application\/atom\+xml/)
    ).text;
    expect(XMLValidator.validate(atomText)).toBe(true);
    const atom = parser.parse(atomText).feed;
    expect(atom['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    const entries = atom.entry as { title: string | { '#text': string }; id: string; updated: string }[];
    const entryTitles = entries.map((e) => (typeof e.title === 'string' ? e.title : e.title['#text']));
    expect(entryTitles).toContain('Telemetry ingestion delayed — resolved');
    expect(entryTitles).not.toContain('Hub sync errors — investigating');
    for (const e of entries) expect(Number.isNaN(Date.parse(e.updated))).toBe(false);

    const bad = await t.http.get('/status/history.rss').query({ service: 'Mainframe' }).expect(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'service', message: expect.stringContaining('unknown service "Mainframe"') })]);
    const badRegion = await t.http.get('/status/history.atom').query({ region: 'us-east-1' }).expect(400);
    expect(badRegion.body.fields[0]).toMatchObject({ field: 'region' });
    const extra = await t.http.get('/status/history.atom').query({ tenant: 'acme' }).expect(400);
    expect(extra.body.fields[0].field).toBe('tenant');
  });

  it('row-level security: status tables exist only in the status scope, and the status scope sees no tenant row', async () => {
    const db = t.app.get(Db);
    const tenant = await createTenant(t.app);
    const count = (rows: { n: number }[]) => Number(rows[0].n);
    expect(count(await db.forTenants([tenant.id], (em) => sql<{ n: number }>(em, 'select count(*) as n from status_components')))).toBe(0);
    expect(count(await db.scoped('system', (em) => sql<{ n: number }>(em, 'select count(*) as n from status_posts')))).toBe(0);
    expect(count(await db.scoped('status', (em) => sql<{ n: number }>(em, 'select count(*) as n from status_components')))).toBe(14);
    expect(count(await db.scoped('status', (em) => sql<{ n: number }>(em, 'select count(*) as n from incidents')))).toBe(0);
    expect(count(await db.scoped('status', (em) => sql<{ n: number }>(em, 'select count(*) as n from tenants')))).toBe(0);
    await expect(
      db.forTenants([tenant.id], (em) =>
        sql(
          em,
          `insert into status_posts (kind, title, status, impact, starts_at, created_at, created_by) values ('incident','x','investigating','degraded', now(), now(), 'x')`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});
