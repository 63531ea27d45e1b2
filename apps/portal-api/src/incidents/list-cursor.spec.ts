import fc from 'fast-check';
import { decodeCursor, encodeCursor } from './list-cursor';

const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('incident list cursor', () => {
  it('reads back what it wrote', () => {
    const c = { declaredAt: '2026-11-23T10:00:00.000Z', id: '0b5c8a3e-7f21-4c1a-9d2e-3f4a5b6c7d8e' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it.each([
    ['36 dashes', enc({ declaredAt: '2026-11-23T10:00:00.000Z', id: '-'.repeat(36) })],
    ['a non-uuid id', enc({ declaredAt: '2026-11-23T10:00:00.000Z', id: 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz' })],
    ['an upper-case id (not canonical)', enc({ declaredAt: '2026-11-23T10:00:00.000Z', id: '0B5C8A3E-7F21-4C1A-9D2E-3F4A5B6C7D8E' })],
    ['year 275760', enc({ declaredAt: '275760-09-13T00:00:00.000Z', id: '0b5c8a3e-7f21-4c1a-9d2e-3f4a5b6c7d8e' })],
    ['a number', enc({ declaredAt: 1e20, id: '0b5c8a3e-7f21-4c1a-9d2e-3f4a5b6c7d8e' })],
    ['null', enc(null)],
    ['not base64 JSON', '%%%'],
  ])('refuses %s naming the cursor', (_n, s) => {
    expect(() => decodeCursor(s)).toThrow(expect.objectContaining({ fields: [{ field: 'cursor', message: expect.any(String) }] }));
  });

  it('returns only canonical ISO instants and uuids, whatever it is given (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(fc.string(), fc.uuid()),
        fc.oneof(
          fc.string(),
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
        ),
        (raw, id, at) => {
          for (const s of [raw, enc({ declaredAt: at, id })]) {
            try {
              const c = decodeCursor(s);
              expect(c.declaredAt).toBe(new Date(c.declaredAt).toISOString());
              expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
            } catch (e) {
              expect((e as { fields?: unknown }).fields).toEqual([{ field: 'cursor', message: expect.any(String) }]);
            }
          }
        },
      ),
    );
  });
});
