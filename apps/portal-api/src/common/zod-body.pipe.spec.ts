import { z } from 'zod';
import { EmptyBodyPipe, unstorableText, ZodPipe } from './zod-body.pipe';

describe('request validation', () => {
  it('refuses NUL and unpaired surrogates by field, before any schema or the database sees them', () => {
    const pipe = new ZodPipe(z.strictObject({ name: z.string(), tags: z.array(z.string()) }));
    expect(() => pipe.transform({ name: 'a\u0000b', tags: ['ok', '\uD800x'] })).toThrow(
      expect.objectContaining({
        fields: [
          { field: 'name', message: 'contains a NUL or an unpaired surrogate character' },
          { field: 'tags.1', message: 'contains a NUL or an unpaired surrogate character' },
        ],
      }),
    );
    expect(unstorableText({ ok: 'emoji 😀 fine', nested: [{ x: 'é' }] })).toEqual([]);
    expect(unstorableText({ ['k\u0000']: 'x' })).toEqual([{ field: 'k\u0000', message: 'the field name contains a NUL or an unpaired surrogate character' }]);
  });

  it('takes no body on actions without one, and names any field sent anyway', () => {
    const pipe = new EmptyBodyPipe();
    expect(pipe.transform(undefined)).toEqual({});
    expect(pipe.transform({})).toEqual({});
    expect(() => pipe.transform({ surprise: 1 })).toThrow(expect.objectContaining({ fields: [{ field: 'surprise', message: 'is not a known field' }] }));
    expect(() => pipe.transform([1])).toThrow(expect.objectContaining({ fields: [{ field: 'body', message: 'this action takes no body' }] }));
  });
});
