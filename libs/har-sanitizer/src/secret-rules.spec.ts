import { sanitizeHar } from './index';
import { scanWithSecretRules } from './secret-rules';

/** Obviously fake, format-valid example secrets (the AWS documentation's style, never real credentials). */
const rep = (s: string, n: number): string => s.repeat(Math.ceil(n / s.length)).slice(0, n);
export const FAKE_SECRETS: Record<string, string> = {
  'AWS access key id': 'AKIAZ7Q3VXFAKEKEY123',
  'AWS secret access key': `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzFAKEKEY01`,
  'GitHub classic token (ghp_)': `ghp_${rep('FAKE0123456789abcdefghij', 36)}`,
  'GitHub fine-grained token': `github_pat_${rep('FAKE0123456789_abcdefghij', 82)}`,
  'GitLab token': `glpat-${rep('FAKE0123456789abcdef', 20)}`,
  'npm token': `npm_${rep('FAKE0123456789abcdefgh', 36)}`,
  'Slack bot token (xoxb-)': `xoxb-1234567890123-1234567890123-${rep('FAKEfake1234', 24)}`,
  'Slack incoming webhook URL': `https://hooks.slack.com/services/T00000000/B00000000/${rep('FAKEfake1234', 24)}`,
  'Teams incoming webhook URL':
    'https://contoso.webhook.office.com/webhookb2/12345678-aaaa-bbbb-cccc-1234567890ab@87654321-aaaa-bbbb-cccc-ba0987654321/IncomingWebhook/0123456789abcdef0123456789abcdef/11111111-2222-3333-4444-555555555555',
  'Discord webhook URL': `https://discord.com/api/webhooks/123456789012345678/${rep('FAKEfake_-12', 68)}`,
  'SendGrid key': `SG.${rep('FaKe1', 22)}.${rep('fAkE2', 43)}`,
  'Shopify access token': `shpat_${rep('0f1e2d3c', 32)}`,
  'Hugging Face token': `hf_${rep('FakeToken', 34)}`,
  'Docker Hub PAT': `dckr_pat_${rep('Fake0_-', 27)}`,
  'Grafana service account token': `glsa_${rep('FakeGrafana0', 32)}_0a1b2c3d`,
  'Linear API key': `lin_api_${rep('FakeLinear0', 40)}`,
  'Databricks token': `dapi${rep('0123456789abcdef', 32)}`,
  'Figma token': `figd_${rep('FakeFigma0-', 40)}`,
  'Groq key': `gsk_${rep('FakeGroq0', 52)}`,
  'Notion token': `ntn_12345678901${rep('FakeNotion0', 35)}`,
  'HashiCorp Vault token': `hvs.${rep('FakeVault0_-', 95)}`,
  'Anthropic key': `sk-ant-api03-${rep('FakeAnthropic0_-', 93)}AA`,
  'OpenAI project key': `sk-proj-${rep('FakeOpenAI0_-', 74)}T3BlbkFJ${rep('FakeOpenAI1_-', 74)}`,
  'PEM private key': `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${rep('FakeKeyMaterial0+/', 200)}\n-----END RSA PRIVATE KEY-----`,
  'PostgreSQL URL with password': 'postgres://reporting:Xk9pq2Lm7vQ@db.internal.example:5432/app',
  'MySQL URL with password': 'mysql://svc_reporting:Xk9pq2Lm7vQ@db.internal.example:3306/app',
  'MongoDB URL with password': 'mongodb+srv://svc_reporting:Xk9pq2Lm7vQ@cluster0.internal.example/app',
  'credentials in an https URL (text)': 'https://deploy:Xk9pq2Lm7vQ@ci.internal.example.net/job/42',
};

/** The secret part of each example (what must never be written). */
const secretPart = (name: string, v: string): string => {
  if (name === 'AWS secret access key') return 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzFAKEKEY01';
  if (/URL with password|credentials in an https URL/.test(name)) return 'Xk9pq2Lm7vQ';
  if (name === 'PEM private key') return 'FakeKeyMaterial0+/FakeKeyMaterial0';
  return v;
};

/** A HAR whose every kept string place carries `secret`: a header without a sensitive name, a text body, a JSON body, a comment. */
function harWith(secret: string): string {
  return JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'test', version: '1' },
      comment: `exported with ${secret}`,
      entries: [
        {
          startedDateTime: '2026-11-23T10:00:00.000Z',
          time: 12,
          comment: secret,
          request: {
            method: 'POST',
            url: 'https://hub.example/api/notes',
            httpVersion: 'HTTP/1.1',
            headers: [
              { name: 'X-Debug-Info', value: `build 42 ${secret}` },
              { name: 'Content-Type', value: 'text/plain' },
            ],
            queryString: [],
            cookies: [],
            postData: { mimeType: 'text/plain', text: `note: ${secret}\nend` },
            headersSize: -1,
            bodySize: 10,
          },
          response: {
            status: 500,
            statusText: 'Internal Server Error',
            httpVersion: 'HTTP/1.1',
            headers: [{ name: 'X-Trace', value: secret }],
            cookies: [],
            content: { size: 2, mimeType: 'application/json', text: '{}' },
            redirectURL: '',
            headersSize: -1,
            bodySize: 2,
          },
          cache: {},
          timings: { send: 1, wait: 10, receive: 1 },
        },
        {
          startedDateTime: '2026-11-23T10:00:01.000Z',
          time: 5,
          request: {
            method: 'PUT',
            url: 'https://hub.example/api/settings',
            httpVersion: 'HTTP/1.1',
            headers: [],
            queryString: [],
            cookies: [],
            postData: { mimeType: 'application/json', text: JSON.stringify({ description: `uses ${secret}`, list: [secret] }) },
            headersSize: -1,
            bodySize: 10,
          },
          response: {
            status: 204,
            statusText: '',
            httpVersion: 'HTTP/1.1',
            headers: [],
            cookies: [],
            content: { size: 0, mimeType: '' },
            redirectURL: '',
            headersSize: -1,
            bodySize: 0,
          },
          cache: {},
          timings: { send: 1, wait: 3, receive: 1 },
        },
      ],
    },
  });
}

describe('maintained secret rule set (secretlint recommended preset) on every kept string', () => {
  it.each(Object.entries(FAKE_SECRETS))('never writes a %s', async (name, secret) => {
    const { output, report } = await sanitizeHar(harWith(secret));
    const part = secretPart(name, secret);
    expect(output).not.toContain(part);
    expect(output).not.toContain(JSON.stringify(part).slice(1, -1)); // as escaped inside a JSON body
    expect(report.total).toBeGreaterThan(0);
    // the HAR is still a HAR
    const har = JSON.parse(output) as { log: { entries: { request: { headers: { name: string }[] } }[] } };
    expect(har.log.entries).toHaveLength(2);
    expect(har.log.entries[0].request.headers.map((h) => h.name)).toEqual(['X-Debug-Info', 'Content-Type']);
  });

  it('reports what only the rule set caught under secret:<rule>', async () => {
    const { output, report } = await sanitizeHar(harWith(FAKE_SECRETS['SendGrid key']));
    expect(output).toContain('[REDACTED:secret:sendgrid]');
    expect(report.byRule['secret:sendgrid']).toBeGreaterThanOrEqual(4);
    expect(report.summary).toMatch(/secrets found by the secretlint rule set/);
  });

  it('keeps ordinary text as it is', async () => {
    const { output } = await sanitizeHar(harWith('the deploy finished in 42 seconds'));
    expect(output).toContain('build 42 the deploy finished in 42 seconds');
    expect(output).toContain('note: the deploy finished in 42 seconds');
  });

  it('maps findings back to the right value in a batch, whatever the neighbours', async () => {
    const values = ['plain text', `a ${FAKE_SECRETS['Shopify access token']} b`, 'x'.repeat(5000), `${FAKE_SECRETS['Hugging Face token']}`, 'tail'];
    const hits = await scanWithSecretRules(values);
    expect([...hits.keys()].sort()).toEqual([1, 3]);
    expect(hits.get(1)!.text).toBe('a [REDACTED:secret:shopify] b');
    expect(hits.get(3)!.text).toBe('[REDACTED:secret:huggingface]');
  });

  it('ignores "secretlint-disable" comments inside the uploaded content', async () => {
    const hits = await scanWithSecretRules([`// secretlint-disable\n${FAKE_SECRETS['SendGrid key']}`, FAKE_SECRETS['Docker Hub PAT']]);
    expect(hits.size).toBe(2);
  });

  it('redacts the whole secret when a rule reports a range that starts at its label', async () => {
    const v = `"aws_secret_access_key"      :      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzFAKEKEY01"`;
    const hits = await scanWithSecretRules([v]);
    expect(hits.get(0)!.text).not.toContain('FAKEKEY01');
  });

  it('costs the same on the 600th batch as on the first (secretlint keeps no growing state in a long-lived process)', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => `value ${i} https://hub.example/api/items/${i}?page=2`);
    const timeOf = async (n: number) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await scanWithSecretRules(batch);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const first = await timeOf(100);
    await timeOf(400);
    const later = await timeOf(100);
    // secretlint's own profiler kept every mark and searched them all per mark: ~10x slower by then
    expect(later).toBeLessThan(first * 3 + 50);
  }, 60_000);
});
