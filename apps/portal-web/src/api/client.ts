import type { ApiErrorBody, ApiFieldError } from '@portal/contracts';

/** An API answer that was not 2xx, carrying the portal's error body `{ error, message, fields?, correlationId? }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: ApiFieldError[];
  readonly correlationId?: string;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.error;
    this.fields = body.fields ?? [];
    this.correlationId = body.correlationId;
  }

  /** Field errors by dotted path (`regions.0`, `contacts.1.email`). */
  fieldMap(): Record<string, string> {
    return Object.fromEntries(this.fields.map((f) => [f.field, f.message]));
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function cookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** Extra headers (Idempotency-Key) and a signal to give up on a request the portal does not answer. */
export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** An answer as the page's first script received it (index.html asks for /me and the list while the bundle loads). */
interface BootAnswer {
  status: number;
  statusText: string;
  text: string;
}
type BootCache = Record<string, { at: number; promise: Promise<BootAnswer> } | undefined>;
// Older than this, an early answer is not used: the request goes to the portal again.
const BOOT_MAX_AGE_MS = 60_000;

/** index.html's answer for this GET, once: the first identical request uses it instead of a round trip. */
function takeBootAnswer(path: string): Promise<BootAnswer> | undefined {
  const boot = (window as { __portalBoot?: BootCache }).__portalBoot;
  const entry = boot?.[path];
  if (!boot || !entry) return undefined;
  delete boot[path];
  return Date.now() - entry.at <= BOOT_MAX_AGE_MS ? entry.promise : undefined;
}

/** After a sign-in, sign-out or a 401, early answers describe another session: none is used. */
function discardBootAnswers(): void {
  const w = window as { __portalBoot?: BootCache };
  if (w.__portalBoot) w.__portalBoot = {};
}

async function send(method: string, path: string, body: unknown, opts: RequestOptions): Promise<BootAnswer> {
  const early = method === 'GET' && !opts.signal && !opts.headers ? takeBootAnswer(path) : undefined;
  if (early) {
    const answer = await early.catch(() => null);
    if (answer) return answer;
  }
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method)) {
    discardBootAnswers();
    // Cookie sessions prove the page is ours by echoing the CSRF cookie (auth.guard.ts).
    const csrf = cookie('portal_csrf');
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body), signal: opts.signal });
  } catch {
    throw new ApiError(0, {
      error: 'network_error',
      message: 'The portal cannot be reached. Check your connection; if it persists, email support@claresia.com.',
    });
  }
  return { status: res.status, statusText: res.statusText, text: await res.text() };
}

async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const { status, statusText, text } = await send(method, path, body, opts);
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (status < 200 || status > 299) {
    if (status === 401) discardBootAnswers();
    const b = parsed as Partial<ApiErrorBody> | undefined;
    throw new ApiError(status, {
      error: typeof b?.error === 'string' ? b.error : 'http_error',
      message: typeof b?.message === 'string' ? b.message : `The portal answered ${status} ${statusText}.`,
      fields: Array.isArray(b?.fields) ? b.fields : undefined,
      correlationId: typeof b?.correlationId === 'string' ? b.correlationId : undefined,
    });
  }
  return parsed as T;
}

export const http = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** An upload in flight: its result, and a way to cancel it. */
export interface UploadHandle<T> {
  promise: Promise<T>;
  abort(): void;
}

/** Thrown (rejected) when the user cancels an upload; not an error to show. */
export class UploadCancelled extends Error {
  constructor() {
    super('The upload was cancelled.');
    this.name = 'UploadCancelled';
  }
}

/**
 * multipart/form-data POST through XMLHttpRequest, because fetch cannot report upload progress.
 * `onProgress(sent, total)` follows the bytes on the wire. Same CSRF header and error shape as `request`.
 */
export function uploadWithProgress<T>(
  path: string,
  form: FormData,
  onProgress: (sent: number, total: number) => void,
  /** BYOC: a data plane's URL takes the grant instead of the portal's session (no cookie, no CSRF token). */
  grant?: { authorization: string },
): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/json');
    const csrf = cookie('portal_csrf');
    if (grant) xhr.setRequestHeader('authorization', grant.authorization);
    else if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onabort = () => reject(new UploadCancelled());
    xhr.onerror = () =>
      reject(new ApiError(0, { error: 'network_error', message: 'The upload did not reach the portal. Check your connection and try again.' }));
    xhr.onload = () => {
      let parsed: unknown;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(parsed as T);
      const b = parsed as Partial<ApiErrorBody> | undefined;
      reject(
        new ApiError(xhr.status, {
          error: typeof b?.error === 'string' ? b.error : 'http_error',
          message: typeof b?.message === 'string' ? b.message : `The portal answered ${xhr.status} ${xhr.statusText}.`,
          fields: Array.isArray(b?.fields) ? b.fields : undefined,
          correlationId: typeof b?.correlationId === 'string' ? b.correlationId : undefined,
        }),
      );
    };
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
