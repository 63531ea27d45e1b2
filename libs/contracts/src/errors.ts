/** The one error body every API error has: `{ error, message, fields? }`. */
export interface ApiFieldError {
  field: string;
  message: string;
}
export interface ApiErrorBody {
  error: string;
  message: string;
  fields?: ApiFieldError[];
  correlationId?: string;
}

/** What a zod issue carries besides its path and message (zod 4's issue shapes, all optional here). */
interface ZodIssueLike {
  path: ReadonlyArray<PropertyKey>;
  message: string;
  code?: string;
  keys?: string[];
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  format?: string;
  values?: ReadonlyArray<unknown>;
}

/** zod's own default messages ("Too big: expected string to have <=200 characters"); ours are lower-case predicates. */
const ZOD_DEFAULT = /^(Too (big|small)|Invalid|Unrecognized|Expected)\b/;

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  date: 'a date',
  bigint: 'a whole number',
};
const FORMAT_NAMES: Record<string, string> = {
  email: 'an email address',
  url: 'a URL',
  uuid: 'an id (UUID)',
  datetime: 'a date and time (ISO 8601, e.g. 2026-11-26T14:05:00Z)',
  date: 'a date (YYYY-MM-DD)',
  time: 'a time (HH:MM)',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  cidrv4: 'an IPv4 range (CIDR)',
  cidrv6: 'an IPv6 range (CIDR)',
};

const count = (n: number | bigint) => (typeof n === 'number' ? n.toLocaleString('en-US') : String(n));
const plural = (n: number | bigint, one: string, many: string) => `${count(n)} ${Number(n) === 1 ? one : many}`;

/** "at most 200 characters", "at least one item", "at most 10,000,000": the size a too_big/too_small issue is about. */
function sizeLimit(origin: string | undefined, n: number | bigint, inclusive: boolean, atMost: boolean): string {
  const bound = inclusive ? (atMost ? 'at most' : 'at least') : atMost ? 'less than' : 'more than';
  if (origin === 'string') return `${bound} ${plural(n, 'character', 'characters')}`;
  if (origin === 'array' || origin === 'set') return `${bound} ${plural(n, 'item', 'items')}`;
  if (origin === 'file') return `${bound} ${plural(n, 'byte', 'bytes')}`;
  return `${bound} ${count(n)}`;
}

/**
 * A zod issue as the predicate of a sentence that starts with the field's name ("title must be at most 200
 * characters", "oidc.issuer is required"): zod's defaults are rewritten, messages written in our schemas kept.
 */
export function issueMessage(issue: ZodIssueLike): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message) || /received null$/.test(issue.message)) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected ?? ''] ?? issue.expected ?? 'of another type'}`;
    case 'too_big':
      if (issue.maximum === undefined) return 'is too long';
      return issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set'
        ? `must have ${sizeLimit(issue.origin, issue.maximum, issue.inclusive !== false, true)}`
        : `must be ${sizeLimit(issue.origin, issue.maximum, issue.inclusive !== false, true)}`;
    case 'too_small':
      if (issue.minimum === undefined) return 'is too short';
      if ((issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set') && Number(issue.minimum) === 1 && issue.inclusive !== false)
        return issue.origin === 'string' ? 'is required' : 'needs at least one item';
      if (issue.origin === 'number' && Number(issue.minimum) === 0) return issue.inclusive !== false ? 'cannot be negative' : 'must be more than 0';
      return issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set'
        ? `must have ${sizeLimit(issue.origin, issue.minimum, issue.inclusive !== false, false)}`
        : `must be ${sizeLimit(issue.origin, issue.minimum, issue.inclusive !== false, false)}`;
    case 'invalid_format':
      return issue.format && FORMAT_NAMES[issue.format] ? `must be ${FORMAT_NAMES[issue.format]}` : 'is not in the expected format';
    case 'invalid_value':
      return issue.values?.length
        ? `must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => String(v)).join(', ')}`
        : 'is not one of the allowed values';
    case 'not_multiple_of':
      return 'is not an allowed step';
    default:
      return 'is not valid';
  }
}

/** Turns zod issues into field errors (dotted paths; root issues under "body"), in words a person can act on. */
export function zodIssuesToFields(issues: ReadonlyArray<ZodIssueLike>): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) out.push({ field: base ? `${base}.${key}` : key, message: 'is not a known field' });
      continue;
    }
    out.push({ field: base || 'body', message: issueMessage(issue) });
  }
  return out;
}
