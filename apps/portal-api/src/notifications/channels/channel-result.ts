/** The outcome of one delivery attempt, as the delivery log records it. */
export interface AttemptResult {
  ok: boolean;
  /** false: retrying cannot help (the receiver refused the request as malformed, the channel is not configured). */
  retryable: boolean;
  responseStatus: number | null;
  responseExcerpt: string | null;
  latencyMs: number | null;
  error: string | null;
  /** What was told, when known only after the attempt (recipients, a Slack message ts). */
  target?: string;
}

/** The first 500 characters of a response body, for the log (never the request: it may carry secrets). */
export const excerpt = (body: Buffer | string | null | undefined): string | null => {
  if (body === null || body === undefined) return null;
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 500) : null;
};

export const failure = (error: unknown, retryable = true): AttemptResult => ({
  ok: false,
  retryable,
  responseStatus: null,
  responseExcerpt: null,
  latencyMs: null,
  error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
});
