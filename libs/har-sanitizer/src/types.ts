export interface SanitizeOptions {
  /** Extra header names (case-insensitive) whose values are replaced, on top of the defaults. */
  sensitiveHeaderNames?: string[];
  /** Extra parameter names (query, fragment, form, JSON keys; case-insensitive), on top of the defaults. */
  sensitiveParamNames?: string[];
  /** Default false: response bodies are removed. When true, text and JSON bodies are kept after the secret scan. */
  keepResponseText?: boolean;
  /**
   * Largest single entry (bytes of its JSON text, after oversized strings were set aside) that is held in
   * memory; past it the stream fails with HarFormatError('entry_too_large'). Also caps everything outside
   * log.entries. Default 32 MiB.
   */
  maxEntryBytes?: number;
  /**
   * Strings inside an entry longer than this (bytes) are never buffered: the sanitizer skips them while
   * streaming and writes a marker instead (response bodies: `[REDACTED:response-body]`, anything else:
   * `[REDACTED:oversized-value]`). Lets multi-hundred-MB downloads pass with bounded memory. Default 4 MiB.
   */
  maxStringBytes?: number;
  /**
   * Run the maintained secret rule set (secretlint's recommended preset, in a worker thread) over every string
   * written. Default true; false exists only to measure its cost (bench/har-sanitize.bench.ts): the portal never
   * turns it off.
   */
  secretRules?: boolean;
}

export interface RedactionReport {
  total: number;
  byRule: Record<string, number>;
  /** e.g. "14 cookies, 3 Authorization headers, 2 JWTs" */
  summary: string;
}

export interface FailedRequestGroup {
  method: string;
  host: string;
  path: string;
  status: number;
  count: number;
}

export interface SlowRequest {
  method: string;
  host: string;
  path: string;
  status: number;
  timeMs: number;
  startedAt: string;
}

export interface ErrorCodeCount {
  code: string;
  count: number;
  source: 'header' | 'body';
}

export interface HarInsights {
  entryCount: number;
  startedAt: string | null;
  endedAt: string | null;
  spanMs: number | null;
  failedRequests: FailedRequestGroup[];
  slowestRequests: SlowRequest[];
  errorCodes: ErrorCodeCount[];
  hosts: { host: string; count: number }[];
}

export interface SanitizeResult {
  report: RedactionReport;
  insights: HarInsights;
  bytesIn: number;
  bytesOut: number;
}

export type HarFormatRule = 'not_json' | 'not_har' | 'truncated' | 'empty' | 'entry_too_large' | 'nesting_too_deep';

export class HarFormatError extends Error {
  constructor(
    message: string,
    public readonly rule: HarFormatRule,
  ) {
    super(message);
    this.name = 'HarFormatError';
  }
}
