import type { Draft } from './draft';

/**
 * The declare form's draft, kept in this browser per tenant and user (issue 18, item 2): a reload, a closed tab or
 * a portal that stops answering loses nothing. The Idempotency-Key travels with the draft, so a declaration that
 * may have reached the portal is resent with the same key and never declared twice.
 */
export interface StoredDraft {
  v: 1;
  savedAt: string;
  draft: Draft;
  /** Set once the user pressed Declare; the same key on every retry of this declaration. */
  idempotencyKey: string | null;
  /** The declaration waits for the portal to answer again: sent by itself when it does. */
  queued: boolean;
  quick: boolean;
}

const PREFIX = 'portal.declareDraft';
export const draftKey = (tenantId: string, userId: string) => `${PREFIX}:${tenantId}:${userId}`;

export function loadDraft(key: string): StoredDraft | null {
  try {
    const raw = localStorage.getItem(key);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredDraft>;
    if (parsed.v !== 1 || !parsed.draft || typeof parsed.draft !== 'object') return null;
    return {
      v: 1,
      savedAt: typeof parsed.savedAt === 'string' ? parsed.savedAt : new Date().toISOString(),
      draft: parsed.draft,
      idempotencyKey: typeof parsed.idempotencyKey === 'string' ? parsed.idempotencyKey : null,
      queued: parsed.queued === true,
      quick: parsed.quick === true,
    };
  } catch {
    return null;
  }
}

export function saveDraft(key: string, value: Omit<StoredDraft, 'v' | 'savedAt'>): void {
  try {
    localStorage.setItem(key, JSON.stringify({ v: 1, savedAt: new Date().toISOString(), ...value }));
  } catch {
    /* storage full or disabled: the form still works, only without the safety net */
  }
}

export function clearDraft(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    /* nothing to clear */
  }
}

/** A key the API accepts (8-128 of letters, digits, . _ : -); getRandomValues works outside secure contexts too. */
export const newIdempotencyKey = () => `declare:${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
