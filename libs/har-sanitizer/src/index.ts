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
export { SecretRulePass, scanWithSecretRules, startSecretRules, stopSecretRules, SECRET_RULES_MIN_LENGTH, type SecretRuleHit } from './secret-rules';
export { credentialPairName, PAIR_VALUE_KEYS } from './body';
export { MAX_NESTING_DEPTH } from './sanitizer';
export { REDACTION_MARKER, RedactionCounter, summarize as summarizeRedactions } from './report';
export { generateCanaryHar, type CanaryHar, type CanaryHarOptions } from './testing/canary-har';
