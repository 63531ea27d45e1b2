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

/** Turns zod issues into field errors (dotted paths; root issues under "body"). */
export function zodIssuesToFields(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: string[] }>,
): ApiFieldError[] {
  const out: ApiFieldError[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      for (const key of issue.keys) out.push({ field: base ? `${base}.${key}` : key, message: 'is not a known field' });
      continue;
    }
    out.push({ field: base || 'body', message: issue.message });
  }
  return out;
}
