import { sanitizeHar } from './index';
import { harEntry, harOf } from './testing/har-entry';

/** Found while wiring the portal's evidence uploads: secrets under a harmless "value" key, named by a sibling. */
describe('JSON name/value pairs', () => {
  const har = (text: string, mimeType = 'application/json') =>
    harOf(harEntry({ method: 'POST', url: 'https://app.example/login', postData: { mimeType, text } }));
  const body = async (text: string, mimeType?: string) => {
    const { output, report } = await sanitizeHar(JSON.stringify(har(text, mimeType)));
    return { text: JSON.parse(output).log.entries[0].request.postData.text as string, report };
  };

  it.each([
    [
      'jQuery serializeArray',
      [
        { name: 'username', value: 'jane' },
        { name: 'password', value: 'CANARY-pair-1' },
      ],
      'json:password',
    ],
    ['key/value settings', [{ key: 'api_token', value: 'CANARY-pair-2' }], 'json:api_token'],
    ['CloudFormation parameters', { Parameters: [{ ParameterKey: 'DbPassword', ParameterValue: 'CANARY-pair-3' }] }, 'json:dbpassword'],
    ['a field with an object value', [{ field: 'client_secret', values: { primary: 'CANARY-pair-4' } }], 'json:client_secret'],
  ])('redacts the value of a %s pair', async (_name, payload, rule) => {
    const { text, report } = await body(JSON.stringify(payload));
    expect(text).not.toContain('CANARY');
    expect(report.byRule[rule]).toBe(1);
  });

  it('also when the body is sent as text/plain', async () => {
    const { text } = await body(JSON.stringify([{ name: 'password', value: 'CANARY-pair-5' }]), 'text/plain;charset=UTF-8');
    expect(text).not.toContain('CANARY');
  });

  it('keeps pairs whose name is not sensitive', async () => {
    // (a JSON key named "key" is itself redacted by default, see README Limits; so no "key" here)
    const payload = [
      { name: 'username', value: 'jane' },
      { name: 'remember', value: 'yes' },
      { field: 'theme', value: 'dark' },
    ];
    const { text } = await body(JSON.stringify(payload));
    expect(JSON.parse(text)).toEqual(payload);
  });

  // hardening issue item 2: any {<label>: ..., value: ...} record whose label names a credential kind
  it.each([
    ['Keycloak credential (type)', [{ type: 'password', value: 'CANARY-pair-6', temporary: false }], 'json:password'],
    ['a labelled token', { items: [{ label: 'API token', value: 'CANARY-pair-7' }] }, 'json:api_token'],
    ['a kind with data', [{ kind: 'client_secret', data: 'CANARY-pair-8' }], 'json:client_secret'],
    ['an id naming the secret', [{ id: 'webhookSecret', value: { current: 'CANARY-pair-9' } }], 'json:webhooksecret'],
    ['a title', [{ title: 'Private key', content: 'CANARY-pair-10' }], 'json:private_key'],
    ['a Rails-style form field', [{ name: 'user[password]', value: 'CANARY-pair-11' }], 'json:user_password_'],
  ])('redacts the value of %s', async (_name, payload, rule) => {
    const { text, report } = await body(JSON.stringify(payload));
    expect(text).not.toContain('CANARY');
    expect(report.byRule[rule]).toBe(1);
  });

  it('keeps records whose labels are not credential kinds, or are sentences', async () => {
    const payload = [
      { type: 'text', value: 'hello' },
      { label: 'Theme', value: 'dark' },
      { description: 'Rotate the API token every month please', value: 30 },
    ];
    const { text } = await body(JSON.stringify(payload));
    expect(JSON.parse(text)).toEqual(payload);
  });

  it('redacts GraphQL variables bound to a credential argument, whatever the variable is called', async () => {
    const request = {
      operationName: 'SignIn',
      query:
        'mutation SignIn($user: String!, $pw: String!, $in: RotateInput!) { signIn(username: $user, password: $pw) { ok } rotate(input: { apiKey: $in }) { ok } }',
      variables: { user: 'jane', pw: 'CANARY-gql-1', in: { value: 'CANARY-gql-2' } },
    };
    const { text, report } = await body(JSON.stringify([request, { query: '{ me { name } }', variables: { pw: 'kept' } }]));
    expect(text).not.toContain('CANARY');
    const [signIn, me] = JSON.parse(text);
    expect(signIn.variables.user).toBe('jane');
    expect(signIn.operationName).toBe('SignIn');
    expect(report.byRule['json:password']).toBe(1);
    expect(report.byRule['json:apikey']).toBe(1);
    // No binding in that query: its variable named like the other one is data.
    expect(me.variables.pw).toBe('kept');
  });

  it('redacts the private members of a JSON Web Key and keeps its public ones', async () => {
    const jwk = {
      kty: 'RSA',
      kid: 'k1',
      n: 'modulus',
      e: 'AQAB',
      d: 'CANARY-jwk-d',
      p: 'CANARY-jwk-p',
      q: 'CANARY-jwk-q',
      dp: 'CANARY-jwk-dp',
      dq: 'CANARY-jwk-dq',
      qi: 'CANARY-jwk-qi',
    };
    const { text, report } = await body(JSON.stringify({ keys: [jwk, { kty: 'oct', k: 'CANARY-jwk-k' }], d: 'a field named d elsewhere' }));
    expect(text).not.toContain('CANARY');
    const out = JSON.parse(text);
    expect(out.keys[0]).toMatchObject({ kty: 'RSA', kid: 'k1', n: 'modulus', e: 'AQAB' });
    expect(out.d).toBe('a field named d elsewhere');
    expect(report.byRule['json:jwk-private']).toBe(7);
  });

  it.each(['auth_key', 'appKey', 'license_key', 'security_answer', 'encryptionKey'])('redacts a JSON key named %s', async (name) => {
    const { text } = await body(JSON.stringify({ [name]: 'CANARY-named-1' }));
    expect(text).not.toContain('CANARY');
  });

  it.each([
    ['a WebSocket auth message', { type: 'auth', payload: 'CANARY-ws-1' }, 'json:auth'],
    ['an exchange login with arguments', { op: 'login', args: ['key-id', 'CANARY-ws-2'] }, 'json:login'],
    ['a JSON-RPC authenticate call', { jsonrpc: '2.0', method: 'authenticate', params: { secretish: 'CANARY-ws-3' } }, 'json:authenticate'],
  ])('redacts the credential of %s', async (_name, payload, rule) => {
    const { text, report } = await body(JSON.stringify(payload));
    expect(text).not.toContain('CANARY');
    expect(report.byRule[rule]).toBe(1);
  });

  it('keeps messages whose type is not a sign-in', async () => {
    const payload = [
      { type: 'subscribe', payload: { channel: 'incidents' } },
      { op: 'ping', args: [1] },
    ];
    const { text } = await body(JSON.stringify(payload));
    expect(JSON.parse(text)).toEqual(payload);
  });
});
