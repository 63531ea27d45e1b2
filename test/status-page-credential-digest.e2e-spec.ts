import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { CredentialHealthReport } from '@portal/contracts';
import { CredentialHealthSweepJob } from '../apps/portal-api/src/credential-health/credential-health-sweep.job';
import { Db } from '../apps/portal-api/src/database/db.service';
import { sql } from '../apps/portal-api/src/database/sql';
import { selfSignedCertificate } from './sso/pki';
import { createTenant, createTestApp, TestApp, tokenFor } from './support/test-app';

const DAY = 86_400_000;

/** The credential-health digest: weekly mail, alerts 30/7/1 days before expiry, each once; ManualClock-driven. */
describe('credential-health digest', () => {
  let t: TestApp;
  let smtp: SMTPServer;
  const mails: { rcpt: string[]; mail: ParsedMail }[] = [];
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        simpleParser(stream)
          .then((mail) => mails.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), mail }))
          .then(() => cb(), cb);
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    t = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` } });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  });

  const sweep = () => t.app.get(CredentialHealthSweepJob).handle({ tenantId: null });
  const to = (address: string) => mails.filter((m) => m.rcpt.includes(address)).map((m) => m.mail);

  it('lists SAML certificates and API tokens with their expiry, then mails the digest weekly and each alert once', async () => {
    const tenant = await createTenant(t.app);
    const admin = `Bearer ${await tokenFor(t.app, tenant.id)}`;
    // A certificate valid for two days of real time (openssl), i.e. about five days after the test clock's now.
    const { cert } = selfSignedCertificate('digest-idp');
    await t.http
      .post('/api/v1/identity-providers')
      .set('Authorization', admin)
      .send({
        kind: 'saml',
        displayName: 'Okta',
        roleMapping: { claim: 'groups', rules: [], defaultRole: 'customer_viewer' },
        saml: { entityId: 'urn:digest:idp', ssoUrl: 'https://idp.digest.example/sso', certificate: cert },
      })
      .expect(201);
    await t.http.post('/api/v1/api-tokens').set('Authorization', admin).send({ name: 'CI monitoring', role: 'customer_viewer', expiresInDays: 20 }).expect(201);

    const report = (await t.http.get('/api/v1/credential-health').set('Authorization', admin).expect(200)).body as CredentialHealthReport;
    const names = report.items.map((i) => [i.kind, i.status]);
    expect(names).toEqual(
      expect.arrayContaining([
        ['saml_signing_certificate', 'expiring'],
        ['api_token', 'expiring'],
      ]),
    );
    expect(report.subscription).toBeNull();
    expect(report.notes.join(' ')).toContain('client secrets');

    const bad = await t.http.put('/api/v1/credential-health/subscription').set('Authorization', admin).send({ email: 'nope' }).expect(400);
    expect(bad.body.fields[0].field).toBe('email');
    const viewer = `Bearer ${await tokenFor(t.app, tenant.id, 'customer_viewer')}`;
    await t.http.put('/api/v1/credential-health/subscription').set('Authorization', viewer).send({ email: 'it@digest.test' }).expect(403);
    await t.http.put('/api/v1/credential-health/subscription').set('Authorization', admin).send({ email: 'it@digest.test' }).expect(200);

    // First sweep: the 7-day alert for the certificate, the 30-day alert for the token, and the first digest.
    await sweep();
    let got = to('it@digest.test');
    expect(got.map((m) => m.subject)).toEqual([
      '[Credential health] 2 credentials expire soon',
      expect.stringMatching(/^\[Credential health\] Weekly digest: \d+ credentials, 2 expiring, 0 expired$/),
    ]);
    expect(got[0].text).toContain('SAML signing certificate of Okta (CN=digest-idp)');
    expect(got[0].text).toContain('API token CI monitoring');
    expect(got[1].text).toContain('client secrets');

    // Next day: nothing new (each alert once, digest weekly).
    t.clock.advance(DAY);
    await sweep();
    expect(to('it@digest.test')).toHaveLength(2);

    // Four more days: the certificate is within a day of expiry → the 1-day alert only.
    t.clock.advance(4 * DAY);
    await sweep();
    got = to('it@digest.test');
    expect(got).toHaveLength(3);
    expect(got[2].subject).toMatch(/^\[Credential health\] SAML signing certificate of Okta .* expires in [01] days$/);

    // A week after the first digest: the next digest, with the certificate now expired.
    t.clock.advance(2 * DAY);
    await sweep();
    got = to('it@digest.test');
    expect(got).toHaveLength(4);
    expect(got[3].subject).toMatch(/Weekly digest: .* 1 expired$/);

    const events = await t.app
      .get(Db)
      .forTenants([tenant.id], (em) =>
        sql<{ action: string; details: { thresholdDays?: number } }>(
          em,
          `select action, details from governance_events where tenant_id = $1 and action like 'credentials.%' order by id`,
          [tenant.id],
        ),
      );
    expect(events.map((e) => (e.action === 'credentials.expiring' ? `expiring:${e.details.thresholdDays}` : e.action))).toEqual([
      'credentials.digest_subscribed',
      'expiring:7',
      'expiring:30',
      'credentials.digest_sent',
      'expiring:1',
      'credentials.digest_sent',
    ]);

    await t.http.delete('/api/v1/credential-health/subscription').set('Authorization', admin).expect(200);
    const again = await t.http.delete('/api/v1/credential-health/subscription').set('Authorization', admin).expect(200);
    expect(again.body.subscription).toBeNull();
    t.clock.advance(8 * DAY);
    await sweep();
    expect(to('it@digest.test')).toHaveLength(4);
  });

  it("one tenant's digest lists only its own credentials", async () => {
    const a = await createTenant(t.app);
    const b = await createTenant(t.app);
    const adminA = `Bearer ${await tokenFor(t.app, a.id)}`;
    const adminB = `Bearer ${await tokenFor(t.app, b.id)}`;
    await t.http
      .post('/api/v1/api-tokens')
      .set('Authorization', adminB)
      .send({ name: `secret-of-${b.slug}`, role: 'customer_viewer', expiresInDays: 3 })
      .expect(201);
    await t.http
      .put('/api/v1/credential-health/subscription')
      .set('Authorization', adminA)
      .send({ email: `admin@${a.slug}.test` })
      .expect(200);
    const report = (await t.http.get('/api/v1/credential-health').set('Authorization', adminA).expect(200)).body as CredentialHealthReport;
    expect(JSON.stringify(report)).not.toContain(b.slug);
    await t.app.get(CredentialHealthSweepJob).handle({ tenantId: a.id });
    for (const m of to(`admin@${a.slug}.test`)) expect(m.text).not.toContain(b.slug);
  });
});
