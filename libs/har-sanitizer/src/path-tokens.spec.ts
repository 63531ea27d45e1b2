import { sanitizeHar } from './index';
import { harEntry, harOf } from './testing/har-entry';

/** Bearer links carry the credential in the path: `/reset-password/<token>`, `/invite/<token>`. */
describe('tokens in URL paths', () => {
  const sanitize = async (url: string, referer: string, body: string) => {
    const entry = harEntry({
      method: 'POST',
      url,
      requestHeaders: [{ name: 'Referer', value: referer }],
      postData: { mimeType: 'application/json', text: body },
    });
    const { output, report } = await sanitizeHar(JSON.stringify(harOf(entry)));
    return { entry: JSON.parse(output).log.entries[0], report };
  };

  it('redacts the token after a bearer-link segment in the URL, the Referer and URLs inside bodies', async () => {
    const { entry: e, report } = await sanitize(
      'https://app.example/account/reset-password/CANARYa1b2c3d4e5f6g7h8',
      'https://app.example/invitations/3f2b8c1e-9d4a-4e7b-8c2f-CANARY00001a/accept',
      JSON.stringify({ next: '/magic-link/CANARYq9w8e7r6t5y4u3i2', verify: 'https://id.example/verify-email/CANARYz1x2c3v4b5n6m7' }),
    );
    expect(JSON.stringify(e)).not.toContain('CANARY');
    expect(e.request.url).toBe('https://app.example/account/reset-password/[REDACTED:path-token]');
    expect(e.request.headers[0].value).toBe('https://app.example/invitations/[REDACTED:path-token]/accept');
    const sent = JSON.parse(e.request.postData.text);
    expect(sent.next).toBe('/magic-link/[REDACTED:path-token]');
    expect(report.byRule['path-token']).toBe(4);
  });

  it('keeps ordinary paths: resource ids, words after a bearer-link segment, short values', async () => {
    const urls = [
      'https://app.example/api/v1/incidents/3f2b8c1e-9d4a-4e7b-8c2f-1a2b3c4d5e6f/replies',
      'https://app.example/reset-password/expired-link-help',
      'https://app.example/invite/team42',
      'https://app.example/tokens/new',
    ];
    for (const url of urls) {
      const { entry: e } = await sanitize(url, 'https://app.example/', '{}');
      expect(e.request.url).toBe(url);
    }
  });
});
