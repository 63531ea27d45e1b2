import { RedactionCounter, redactText, SecretRulePass } from '@portal/har-sanitizer';
import { EvidenceRejected } from '../evidence.errors';
import { EvidenceKind, KIND_EXTENSIONS, KIND_LABELS } from '../evidence-policy';

const MAX_NAME = 200;
// C0/C1 controls, and the bidirectional overrides that make "gpj.har" display as "rah.jpg".
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const DEFAULT_NAMES: Record<EvidenceKind, string> = { har: 'capture.har', 'governance-events': 'governance-events.json', screenshot: 'screenshot.png' };

/**
 * The name shown for an upload. The client's file name is never a path here or anywhere: storage keys
 * are server-generated. A name carrying a path (`../x.har`, `C:\x.har`) or control characters is refused
 * because no browser sends one; the name goes through the secret scan (people do name files after tokens).
 */
export function displayNameFor(raw: string | undefined, kind: EvidenceKind): string {
  if (raw === undefined || raw.trim() === '') return DEFAULT_NAMES[kind];
  if (raw.includes('/') || raw.includes('\\')) {
    throw new EvidenceRejected('file_name_invalid', 'the file name must be a plain name, without a folder path (no "/" or "\\")');
  }
  if (CONTROL.test(raw)) throw new EvidenceRejected('file_name_invalid', 'the file name contains control characters');
  let name = raw.normalize('NFC').replace(INVISIBLE, '').trim();
  if (name === '' || /^\.+$/.test(name)) throw new EvidenceRejected('file_name_invalid', 'the file name is empty or only dots');
  const lower = name.toLowerCase();
  const allowed = KIND_EXTENSIONS[kind];
  const ext = allowed.filter((e) => lower.endsWith(e)).sort((a, b) => b.length - a.length)[0];
  if (!ext) {
    throw new EvidenceRejected('wrong_file_extension', `a ${KIND_LABELS[kind]} must be named ${allowed.join(', ')}`);
  }
  const suffix = name.slice(name.length - ext.length);
  name = redactText(name.slice(0, name.length - ext.length)).text + suffix;
  if (name.length > MAX_NAME) name = `${name.slice(0, MAX_NAME - ext.length - 1)}…${name.slice(-ext.length)}`;
  return name;
}

/** A display name (from `displayNameFor`) through the maintained rule set too (secretlint); the extension is kept. */
export async function scanDisplayName(name: string, kind: EvidenceKind): Promise<string> {
  const lower = name.toLowerCase();
  const ext = KIND_EXTENSIONS[kind].filter((e) => lower.endsWith(e)).sort((a, b) => b.length - a.length)[0] ?? '';
  const base = name.slice(0, name.length - ext.length);
  const scanned = await new SecretRulePass(new RedactionCounter()).redactString(base);
  return scanned === base ? name : scanned + name.slice(name.length - ext.length);
}

/** The name a download is saved under: says it is the sanitized copy, and drops `.gz` (stored inflated). */
export function downloadNameFor(displayName: string, kind: EvidenceKind, contentType: string): string {
  let base = displayName.replace(/\.gz$/i, '');
  if (kind === 'screenshot') return base;
  const ext = kind === 'har' ? '.har' : contentType === 'text/csv' ? '.csv' : contentType === 'application/x-ndjson' ? '.ndjson' : '.json';
  base = base.replace(/\.(har|json|ndjson|jsonl|csv)$/i, '');
  return `${base}.sanitized${ext}`;
}

/** RFC 6266 `attachment` with an ASCII fallback and the UTF-8 name (RFC 8187). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%;]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
