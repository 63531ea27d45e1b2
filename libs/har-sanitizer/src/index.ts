/**
 * @portal/har-sanitizer - streaming, allow-list HAR sanitizer.
 * See ../README.md for what is kept, what is removed and the marker rules.
 */
export {
  HarFormatError,
  type HarFormatRule,
  type SanitizeOptions,
  type RedactionReport,
  type HarInsights,
  type FailedRequestGroup,
  type SlowRequest,
  type ErrorCodeCount,
  type SanitizeResult,
} from './types';
export { createHarSanitizer, sanitizeHar } from './sanitizer';
export { redactText } from './redact-text';
export { REDACTION_MARKER, RedactionCounter, summarize as summarizeRedactions } from './report';
export { generateCanaryHar, type CanaryHar, type CanaryHarOptions } from './testing/canary-har';
