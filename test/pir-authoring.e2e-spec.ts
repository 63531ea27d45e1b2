import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { PirPdfRenderer } from '@portal/pir-pdf';
import { Accounts } from '../apps/portal-api/src/auth/accounts.service';
import { seedDemo } from '../apps/portal-api/src/demo/demo-seed';
import { PirRenderJob } from '../apps/portal-api/src/pir/jobs/pir-render.job';
import { PirService } from '../apps/portal-api/src/pir/pir.service';
import { redisOptions } from '../apps/portal-api/src/queue/redis-connections';
import { WorkloadQueues } from '../apps/portal-api/src/queue/workload-queues';
import { queueNameOf } from '../apps/portal-api/src/queue/workloads';
import type { Tenant } from '../apps/portal-api/src/tenants/tenant.types';
import { pdfText } from '../libs/pir-pdf/src/testing/pdf-text';
import { relayAll } from './support/queues';
import { createTenant, createTestApp, signIn, TestApp, tokenFor, validIntake } from './support/test-app';

const MIN = 60_000;
const squash = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/**
 * Post-incident reviews through the API on a real PostgreSQL, Redis and Chromium: prefilled from the incident,
 * draft → in review → published by support engineers, read by the tenant once published and by its CSM,
 * versioned with a `pir.*` event per change, the PIR clock stopped at publication (or waived for a Sev 2),
 * the PDF rendered once per content by the job and downloaded with an audit event.
 */
describe('post-incident reviews', () => {
  let t: TestApp;
  let acme: Tenant;
  let other: Tenant;
  let admin: string;
  let viewer: string;
  let otherAdmin: string;
  let support: Awaited<ReturnType<typeof signIn>>;
  let csm: Awaited<ReturnType<typeof signIn>>;

  beforeAll(async () => {
    t = await createTestApp({
      now: '2026-11-24T09:00:00Z',
      env: { EVIDENCE_DIR: mkdtempSync(join(tmpdir(), 'pir-evidence-')), SESSION_IDLE_MINUTES: '1440', SESSION_ABSOLUTE_HOURS: '240' },
    });
    acme = await createTenant(t.app, { mode: 'B' });
    other = await createTenant(t.app, { mode: 'B' });
    admin = `Bearer ${await tokenFor(t.app, acme.id)}`;
    viewer = `Bearer ${await tokenFor(t.app, acme.id, 'customer_viewer')}`;
    otherAdmin = `Bearer ${await tokenFor(t.app, other.id)}`;
    support = await signIn(t, { role: 'support_engineer' });
    const csmEmail = `csm-${Date.now()}@vendor.example`;
    csm = await signIn(t, { role: 'csm', email: csmEmail });
    await t.app.get(Accounts).assignCsm(csmEmail, acme.slug, true);
    csm = await signIn(t, { role: 'csm', email: csmEmail });
  });
  afterAll(() => t.close());

  const sup = {
    get: (p: string) => support.agent.get(p),
    post: (p: string, body?: object) => support.agent.post(p).set('x-csrf-token', support.csrf).send(body),
    put: (p: string, body: object) => support.agent.put(p).set('x-csrf-token', support.csrf).send(body),
    patch: (p: string, body: object) => support.agent.patch(p).set('x-csrf-token', support.csrf).send(body),
  };
  const pirPath = (id: string, rest = '') => `/api/v1/incidents/${id}/pir${rest}`;

  async function resolvedIncident(over: Record<string, unknown> = {}) {
    const inc = (await t.http.post('/api/v1/incidents').set('Authorization', admin).send(validIntake(over)).expect(201)).body;
    t.clock.advance(4 * MIN);
    await sup.post(`/api/v1/incidents/${inc.id}/acknowledge`).expect(200);
    t.clock.advance(10 * MIN);
    await sup
      .post(`/api/v1/incidents/${inc.id}/status-updates`, { state: 'identified', body: 'An expired intermediate certificate on the EU ingress.' })
      .expect(201);
    await t.http.patch(`/api/v1/incidents/${inc.id}`).set('Authorization', admin).send({ impactedUsers: 1250, reason: 'whole EU region' }).expect(200);
    t.clock.advance(40 * MIN);
    await sup.post(`/api/v1/incidents/${inc.id}/resolve`, { summary: 'Rotated the certificate chain.' }).expect(200);
    return inc as { id: string; reference: string };
  }

  async function events(id: string) {
    return (await sup.get(`/api/v1/incidents/${id}/events`).expect(200)).body.items as { action: string; details: Record<string, unknown> }[];
  }

  /** Relays the outbox and waits (on BullMQ's completion events) for the render job of this review. */
  async function runRenderJob(pirId: string) {
    const e = new QueueEvents(queueNameOf('rendering'), { connection: redisOptions(t.config.redisUrl), prefix: t.config.queuePrefix });
    await e.waitUntilReady();
    try {
      await relayAll(t);
      const jobs = await t.app.get(WorkloadQueues).get('rendering').getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized']);
      const mine = jobs.filter((j) => j.name === 'pir.render' && j.data?.pirId === pirId);
      expect(mine.length).toBeGreaterThan(0);
      for (const j of mine) await j.waitUntilFinished(e, 60_000);
    } finally {
      await e.close();
    }
  }

  it('walks a Sev 1 review from a prefilled draft to a published PDF, with the clock stopped and every step audited', async () => {
    const inc = await resolvedIncident();

    // Nothing yet; tenant users do not see drafts; only support engineers start one.
    await sup.get(pirPath(inc.id)).expect(404);
    await t.http.post(pirPath(inc.id)).set('Authorization', admin).expect(403);
    const created = (await sup.post(pirPath(inc.id)).expect(201)).body;
    expect(created).toMatchObject({ status: 'draft', version: 1, reference: inc.reference });
    expect(created.sections.summary).toContain(inc.reference);
    expect(created.sections.remediation).toBe('Rotated the certificate chain.');
    expect(created.sections.impact).toContain('1250');
    const kinds = created.timeline.map((r: { kind: string }) => r.kind);
    expect(kinds).toEqual(['Declared', 'Acknowledged', 'Status: identified', 'Impact', 'Resolved']);
    expect(created.timeline[2].text).toBe('An expired intermediate certificate on the EU ingress.');
    expect(created.slaOutcomes.map((o: { clock: string; outcome: string }) => `${o.clock}: ${o.outcome}`)).toEqual(
      expect.arrayContaining(['Initial response (Sev1): Met', 'Restoration (Sev1): Met', 'Post-incident review (Sev1): Running']),
    );
    await sup.post(pirPath(inc.id)).expect(409);
    await t.http.get(pirPath(inc.id)).set('Authorization', admin).expect(404);
    // The tenant's CSM reads it at any stage.
    expect((await csm.agent.get(pirPath(inc.id)).expect(200)).body.status).toBe('draft');

    // Edits: a stale version is refused; a save is the next version.
    const stale = await sup.put(pirPath(inc.id), { version: 7, sections: { root_cause: 'x' } }).expect(409);
    expect(stale.body.fields).toEqual([{ field: 'version', message: 'is not the current version (1)' }]);
    const bad = await sup.put(pirPath(inc.id), { version: 1, actionItems: [{ action: '', owner: 'SRE', priority: 'urgent' }] }).expect(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['actionItems.0.action', 'actionItems.0.priority']);
    const saved = (
      await sup
        .put(pirPath(inc.id), {
          version: 1,
          sections: { root_cause: 'The bundle held an **expired intermediate**.\n\n<script>alert(1)</script>', went_well: '- Fast acknowledgement' },
          actionItems: [
            { action: 'Monitor every certificate in the served chain', owner: 'SRE team', priority: 'high', dueDate: '2026-12-07' },
            { action: 'Renew full chains, not leaves only', owner: 'Platform team', priority: 'medium' },
          ],
        })
        .expect(200)
    ).body;
    expect(saved.version).toBe(2);
    expect(saved.actionItems).toHaveLength(2);
    expect(saved.actionItems[0]).toMatchObject({ status: 'open', dueDate: '2026-12-07' });
    expect(saved.sections.summary).toBe(created.sections.summary);

    // Workflow: published only from review.
    await sup.post(pirPath(inc.id, '/transitions'), { to: 'published' }).expect(409);
    await t.http.post(pirPath(inc.id, '/transitions')).set('Authorization', admin).send({ to: 'in_review' }).expect(403);
    expect((await sup.post(pirPath(inc.id, '/transitions'), { to: 'in_review' }).expect(200)).body).toMatchObject({ status: 'in_review', version: 3 });
    await t.http.get(pirPath(inc.id)).set('Authorization', viewer).expect(404);
    t.clock.advance(20 * 60 * MIN);
    const published = (await sup.post(pirPath(inc.id, '/transitions'), { to: 'published' }).expect(200)).body;
    expect(published).toMatchObject({ status: 'published', version: 4, publishedAt: t.clock.now().toISOString(), pdf: { ready: false } });
    expect(published.slaOutcomes.find((o: { clock: string }) => o.clock.startsWith('Post-incident review'))).toMatchObject({
      outcome: 'Met',
      detail: 'delivered on time',
    });
    expect(published.hubRecord).toMatchObject({
      kind: 'gatespic.incident-postmortem',
      schemaVersion: 1,
      incident: { id: inc.id, reference: inc.reference, severity: 'sev1' },
      review: { version: 4 },
      tenant: { slug: acme.slug },
    });
    expect(published.hubRecord.sections.map((s: { key: string }) => s.key)).toContain('root_cause');
    expect(published.hubRecord.links.pdf).toContain(`/api/v1/incidents/${inc.id}/pir.pdf`);

    // Publishing stopped the PIR clock.
    const detail = (await t.http.get(`/api/v1/incidents/${inc.id}`).set('Authorization', admin).expect(200)).body;
    expect(detail.sla.clocks.pirDue).toMatchObject({ state: 'met', stoppedAt: t.clock.now().toISOString() });

    // The tenant reads it now; another tenant does not; text sections stop changing.
    expect((await t.http.get(pirPath(inc.id)).set('Authorization', viewer).expect(200)).body.status).toBe('published');
    await t.http.get(pirPath(inc.id)).set('Authorization', otherAdmin).expect(404);
    await t.http.get(pirPath(inc.id, '.pdf')).set('Authorization', otherAdmin).expect(404);
    await sup.put(pirPath(inc.id), { version: 4, sections: { lessons: 'late edit' } }).expect(409);

    // The PDF: not ready until the job ran, then rendered once and downloaded with an audit event.
    await t.http.get(pirPath(inc.id, '.pdf')).set('Authorization', admin).expect(409);
    await runRenderJob(published.id);
    const res = await t.http
      .get(pirPath(inc.id, '.pdf'))
      .set('Authorization', admin)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="PIR-${inc.reference}-v4.pdf"`);
    const { text } = await pdfText(res.body as Buffer);
    for (const s of ['Summary', 'Timeline', 'Root cause', 'Impact', 'Remediation', 'Lessons learned', 'What went well', 'What could be improved']) {
      expect(squash(text)).toContain(squash(s));
    }
    expect(squash(text)).toContain(squash('Monitor every certificate in the served chain'));
    expect(squash(text)).toContain(squash('An expired intermediate certificate on the EU ingress.'));
    expect(squash(text)).toContain(squash('<script>alert(1)</script>'));

    // Same content: the job does not render again.
    const pirs = t.app.get(PirService);
    const { TenantContext } = await import('@portal/tenancy');
    const rerun = await TenantContext.runAs({ kind: 'system', id: 'test', label: 'test', role: 'system', homeTenantId: acme.id }, [acme.id], () =>
      pirs.renderPdf(published.id, t.app.get(PirPdfRenderer)),
    );
    expect(rerun).toBe('unchanged');

    // Action items stay trackable after publication; the PDF follows.
    const itemId = published.actionItems[0].id as string;
    const tracked = (await sup.patch(pirPath(inc.id, `/action-items/${itemId}`), { status: 'done' }).expect(200)).body;
    expect(tracked).toMatchObject({ status: 'published', version: 5 });
    expect(tracked.actionItems[0].status).toBe('done');
    await sup.patch(pirPath(inc.id, `/action-items/${published.id}`), { status: 'done' }).expect(404);
    await runRenderJob(published.id);
    expect((await t.http.get(pirPath(inc.id)).set('Authorization', admin).expect(200)).body.pdf).toMatchObject({ ready: true, version: 5 });

    const audit = await events(inc.id);
    const pirEvents = audit.filter((e) => e.action.startsWith('pir.'));
    expect(pirEvents.map((e) => `${e.action}@${String(e.details.version)}`)).toEqual(
      expect.arrayContaining([
        'pir.created@1',
        'pir.updated@2',
        'pir.submitted@3',
        'pir.published@4',
        'pir.rendered@4',
        'pir.downloaded@4',
        'pir.action_item_updated@5',
        'pir.rendered@5',
      ]),
    );
    expect(pirEvents.filter((e) => e.action === 'pir.rendered')).toHaveLength(2);
  });

  it('waives a Sev 2 review with a reason (the clock ends as not applicable) and refuses to waive a Sev 1', async () => {
    const sev2 = await resolvedIncident({ severity: 'sev2' });
    const noReason = await sup.post(pirPath(sev2.id, '/transitions'), { to: 'waived' }).expect(400);
    expect(noReason.body.fields).toEqual([{ field: 'reason', message: 'is required to waive a post-incident review' }]);
    const waived = (
      await sup
        .post(pirPath(sev2.id, '/transitions'), { to: 'waived', reason: 'Single-tenant config error, fully explained in the status updates.' })
        .expect(200)
    ).body;
    expect(waived).toMatchObject({ status: 'waived', waiverReason: 'Single-tenant config error, fully explained in the status updates.' });
    const detail = (await t.http.get(`/api/v1/incidents/${sev2.id}`).set('Authorization', admin).expect(200)).body;
    expect(detail.sla.clocks.pirDue).toMatchObject({ state: 'not_applicable', stoppedAt: t.clock.now().toISOString() });
    // The tenant sees the decision.
    expect((await t.http.get(pirPath(sev2.id)).set('Authorization', viewer).expect(200)).body.status).toBe('waived');
    await t.http.get(pirPath(sev2.id, '.pdf')).set('Authorization', admin).expect(404);
    expect((await events(sev2.id)).some((e) => e.action === 'pir.waived' && e.details.reason)).toBe(true);

    const sev1 = await resolvedIncident();
    const refused = await sup.post(pirPath(sev1.id, '/transitions'), { to: 'waived', reason: 'no' }).expect(409);
    expect(refused.body.message).toContain('only a Sev 2 PIR can be waived');
  });

  it('searches published reviews with highlighted snippets and filters, each tenant its own', async () => {
    const inc = await resolvedIncident({ services: ['Hub'] });
    await sup.post(pirPath(inc.id)).expect(201);
    await sup.put(pirPath(inc.id), { version: 1, sections: { root_cause: 'A stale **quokka** cache entry poisoned the router.' } }).expect(200);
    const search = (auth: string, q: Record<string, string>) => t.http.get('/api/v1/pirs').query(q).set('Authorization', auth);
    // Drafts are not in the archive.
    expect((await search(admin, { q: 'quokka' }).expect(200)).body.items).toEqual([]);
    await sup.post(pirPath(inc.id, '/transitions'), { to: 'in_review' }).expect(200);
    await sup.post(pirPath(inc.id, '/transitions'), { to: 'published' }).expect(200);
    const hits = (await search(admin, { q: 'quokka router' }).expect(200)).body.items;
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ incidentId: inc.id, reference: inc.reference, severity: 'sev1', services: ['Hub'], tenant: { slug: acme.slug } });
    expect(hits[0].snippet).toContain('\u0001quokka\u0002');
    expect((await search(viewer, { q: 'quokka', service: 'Hub', severity: 'sev1' }).expect(200)).body.items).toHaveLength(1);
    expect((await search(viewer, { q: 'quokka', service: 'Identity' }).expect(200)).body.items).toEqual([]);
    expect((await search(viewer, { q: 'quokka', severity: 'sev2' }).expect(200)).body.items).toEqual([]);
    const day = t.clock.now().toISOString().slice(0, 10);
    expect((await search(viewer, { q: 'quokka', from: day, to: day }).expect(200)).body.items).toHaveLength(1);
    expect((await search(viewer, { q: 'quokka', from: '2099-01-01' }).expect(200)).body.items).toEqual([]);
    // Another tenant's users find nothing of acme; vendor staff find it; the CSM of acme too.
    expect((await search(otherAdmin, { q: 'quokka' }).expect(200)).body.items).toEqual([]);
    expect((await support.agent.get('/api/v1/pirs').query({ q: 'quokka' }).expect(200)).body.items).toHaveLength(1);
    expect((await csm.agent.get('/api/v1/pirs').query({ q: 'quokka' }).expect(200)).body.items).toHaveLength(1);
    // Bad input names the field.
    expect((await search(admin, { from: '2026-12-02', to: '2026-12-01' }).expect(400)).body.fields).toEqual([
      { field: 'to', message: 'must not be before from' },
    ]);
    expect((await search(admin, { severity: 'sev9' }).expect(400)).body.fields[0].field).toBe('severity');
  });

  it("seeds the demo with acme's resolved Sev 1 and its published review", async () => {
    const { tokens } = await seedDemo(t.app, t.clock.now());
    const acmeToken = `Bearer ${tokens.find((x) => x.tenant === 'acme')!.token}`;
    const list = (await t.http.get('/api/v1/incidents').query({ severity: 'sev1', status: 'resolved' }).set('Authorization', acmeToken).expect(200)).body;
    const sev1 = list.items.find((x: { title: string }) => x.title.startsWith('Agent console unavailable'));
    expect(sev1).toBeDefined();
    const pir = (await t.http.get(pirPath(sev1.id)).set('Authorization', acmeToken).expect(200)).body;
    expect(pir).toMatchObject({ status: 'published', hubRecord: { kind: 'gatespic.incident-postmortem' } });
    expect(pir.actionItems).toHaveLength(3);
    await runRenderJob(pir.id);
    await t.http.get(pirPath(sev1.id, '.pdf')).set('Authorization', acmeToken).expect(200);
  });

  it('starts a review only after the resolution', async () => {
    const inc = (await t.http.post('/api/v1/incidents').set('Authorization', admin).send(validIntake()).expect(201)).body;
    const res = await sup.post(pirPath(inc.id)).expect(409);
    expect(res.body.message).toContain('after the resolution');
  });

  it('retries a render after Chromium was killed mid-render: the next attempt stores the PDF', async () => {
    const inc = await resolvedIncident();
    const pir = (await sup.post(pirPath(inc.id)).expect(201)).body;
    await sup.post(pirPath(inc.id, '/transitions'), { to: 'in_review' }).expect(200);
    // The app's own worker must not render this one first: the rendering queue waits while this test runs the job.
    const rendering = t.app.get(WorkloadQueues).get('rendering');
    await rendering.pause();
    await sup.post(pirPath(inc.id, '/transitions'), { to: 'published' }).expect(200);
    const renderer = new PirPdfRenderer({ poolSize: 1 });
    try {
      await renderer.start();
      const job = new PirRenderJob(t.app.get(PirService), renderer);
      const attempt = job.handle({ tenantId: acme.id, pirId: pir.id });
      // Mid-render: once the job holds a page of the browser.
      while (renderer.stats().rendering === 0) await new Promise((r) => setImmediate(r));
      process.kill(renderer.stats().browserPid!, 'SIGKILL');
      await expect(attempt).rejects.toThrow(/PDF render failed/);
      expect((await t.http.get(pirPath(inc.id)).set('Authorization', admin).expect(200)).body.pdf.ready).toBe(false);
      await job.handle({ tenantId: acme.id, pirId: pir.id });
      expect((await t.http.get(pirPath(inc.id)).set('Authorization', admin).expect(200)).body.pdf.ready).toBe(true);
    } finally {
      await renderer.close();
      await rendering.resume();
    }
  });
});
