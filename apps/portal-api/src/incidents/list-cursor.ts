import { ValidationFailed } from '../common/domain-errors';

/** Where a page of the incident list continues: the last row's declaration time and id. */
export interface Cursor {
  declaredAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// PostgreSQL's timestamptz and JavaScript's Date agree on these years; outside them one refuses what the other accepts.
const MIN = Date.UTC(1970, 0, 1);
const MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/**
 * Reads a cursor back, strictly: a client may send anything here, and whatever reaches SQL must be a
 * canonical uuid and an ISO instant PostgreSQL accepts. Anything else is a 400 naming `cursor`.
 */
export function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { declaredAt?: unknown; id?: unknown } | null;
    if (c && typeof c.declaredAt === 'string' && typeof c.id === 'string' && UUID.test(c.id)) {
      const t = Date.parse(c.declaredAt);
      if (Number.isFinite(t) && t >= MIN && t <= MAX) return { declaredAt: new Date(t).toISOString(), id: c.id };
    }
  } catch {
    /* fall through */
  }
  throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor this API returned' }]);
}
