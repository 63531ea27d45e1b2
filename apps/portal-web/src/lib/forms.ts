/** Zod's and the API's terse messages ("is required") as text under a labelled field. */
export function fieldMessage(message: string): string {
  const m = message.trim();
  if (m === 'is required' || /^Invalid input: expected \w+, received undefined$/.test(m) || /received NaN/.test(m)) return 'Required';
  if (/^Invalid input: expected number/.test(m)) return 'Enter a number';
  if (/^Invalid option/.test(m)) return 'Choose one of the options';
  if (/^Invalid (email|e-mail)/i.test(m)) return 'Must be an email address';
  if (/^Too small: expected string to have >=1/.test(m)) return 'Required';
  // The contracts' humanised zod messages (h7b-web-polish): "is required" above, "must have at most 200 characters".
  if (/^Too (big|small): expected/.test(m)) return 'This value is out of range';
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/** Field errors keyed by dotted path; the first message per path wins. */
export function toFieldMap(fields: { field: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) if (!(f.field in out)) out[f.field] = f.message;
  return out;
}

/** Machine names in API field paths that read as acronyms. */
const ACRONYMS = new Set(['oidc', 'saml', 'sso', 'url', 'uri', 'id', 'ip', 'idp', 'api', 'csv', 'sla', 'pir', 'dns', 'acs']);

/** An API field path in words: `oidc.issuer` → "OIDC issuer", `contacts.0.email` → "Contacts 1 email", `clientId` → "Client ID". */
export function fieldName(path: string): string {
  const words = path
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part))
    .flatMap((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_-]+/))
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
