import { z } from 'zod';
import { zodIssuesToFields } from './errors';

const fieldsOf = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected the value to be refused');
  return zodIssuesToFields(parsed.error.issues);
};

describe('zodIssuesToFields', () => {
  const schema = z.strictObject({
    title: z.string().min(1).max(200),
    count: z.number().int().min(0).max(10_000_000),
    count2: z.number().min(0, 'cannot be below zero (our words)'),
    tags: z.array(z.string()).min(1).max(3),
    email: z.email(),
    url: z.url(),
    kind: z.enum(['saml', 'oidc']),
    oidc: z.object({ issuer: z.string() }),
  });
  const valid = { title: 'x', count: 1, count2: 1, tags: ['a'], email: 'a@b.example', url: 'https://a.example', kind: 'saml', oidc: { issuer: 'https://i' } };

  test.each([
    ['title', { title: 'x'.repeat(201) }, 'must have at most 200 characters'],
    ['title', { title: '' }, 'is required'],
    ['title', { title: undefined }, 'is required'],
    ['title', { title: 5 }, 'must be text'],
    ['count', { count: -1 }, 'cannot be negative'],
    ['count', { count: 20_000_000 }, 'must be at most 10,000,000'],
    ['count', { count: 'many' }, 'must be a number'],
    ['count2', { count2: -1 }, 'cannot be below zero (our words)'],
    ['tags', { tags: [] }, 'needs at least one item'],
    ['tags', { tags: ['a', 'b', 'c', 'd'] }, 'must have at most 3 items'],
    ['email', { email: 'nope' }, 'must be an email address'],
    ['url', { url: 'nope' }, 'must be a URL'],
    ['kind', { kind: 'ldap' }, 'must be one of saml, oidc'],
    ['oidc.issuer', { oidc: {} }, 'is required'],
    ['extra', { extra: 1 }, 'is not a known field'],
  ])('%s: %#', (field, patch, message) => {
    const fields = fieldsOf(schema, { ...valid, ...patch });
    expect(fields).toContainEqual({ field, message });
    for (const f of fields) expect(f.message).not.toMatch(/^(Too|Invalid|expected)/);
  });
});
