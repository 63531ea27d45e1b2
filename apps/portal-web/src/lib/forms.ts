/** Zod's and the API's terse messages ("is required") as text under a labelled field. */
export function fieldMessage(message: string): string {
  const m = message.trim();
  if (m === 'is required' || /^Invalid input: expected \w+, received undefined$/.test(m) || /received NaN/.test(m)) return 'Required';
  if (/^Invalid input: expected number/.test(m)) return 'Enter a number';
  if (/^Invalid option/.test(m)) return 'Choose one of the options';
  if (/^Invalid (email|e-mail)/i.test(m)) return 'Must be an email address';
  if (/^Too small: expected string to have >=1/.test(m)) return 'Required';
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/** Field errors keyed by dotted path; the first message per path wins. */
export function toFieldMap(fields: { field: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) if (!(f.field in out)) out[f.field] = f.message;
  return out;
}
