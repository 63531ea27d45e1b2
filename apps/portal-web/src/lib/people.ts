/**
 * A person as people know them: the API labels actors `Name <email>` (for the audit record); the pages show the
 * name alone, and only the email when there is no name.
 */
export function personName(label: string | null | undefined): string {
  if (!label) return '';
  const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(label);
  if (!m) return label;
  return m[1].trim() || m[2].trim();
}
