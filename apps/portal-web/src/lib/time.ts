import { DateTime } from 'luxon';

/** The viewer's own IANA zone; every time in the portal is shown in it, with the zone named. */
export const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU'];

/** "CET", "EST", "IST" where some English locale has a name for the zone, else "GMT+5:30". */
export function zoneAbbreviation(zone: string, at: DateTime = DateTime.now()): string {
  let fallback = '';
  for (const locale of ABBREVIATION_LOCALES) {
    const name = at.setZone(zone).setLocale(locale).toFormat('ZZZZ');
    if (!fallback) fallback = name;
    if (name === 'GMT' || name === 'UTC' || !/^GMT[+-]/.test(name)) return name;
  }
  return fallback || zone;
}

/** "14:05 CET" today, "22 Nov 14:05 CET" on other days, with the year when it differs. */
export function formatTime(iso: string | null | undefined, zone: string = viewerZone()): string {
  if (!iso) return '—';
  const t = DateTime.fromISO(iso).setZone(zone);
  if (!t.isValid) return '—';
  const now = DateTime.now().setZone(zone);
  const pattern = t.hasSame(now, 'day') ? 'HH:mm' : t.hasSame(now, 'year') ? 'd LLL HH:mm' : 'd LLL yyyy HH:mm';
  return `${t.setLocale('en-GB').toFormat(pattern)} ${zoneAbbreviation(zone, t)}`;
}

/** Full date and time for tooltips and machine-readable `<time>` titles. */
export function formatFull(iso: string | null | undefined, zone: string = viewerZone()): string {
  if (!iso) return '';
  const t = DateTime.fromISO(iso).setZone(zone);
  return `${t.setLocale('en-GB').toFormat('cccc d LLLL yyyy, HH:mm:ss')} ${zoneAbbreviation(zone, t)} (${zone})`;
}

/** "4 h 05 min", "12 min 09 s", "45 s": durations for SLA clocks, coarse above an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${pad(m)} min`;
  if (m > 0) return `${m} min ${pad(s)} s`;
  return `${s} s`;
}

/** "3 min", "2 h", "4 d": how long ago, for ages in lists. */
export function formatAge(iso: string, now: number): string {
  const ms = Math.max(0, now - Date.parse(iso));
  const min = Math.floor(ms / 60000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60 ? `${min % 60} min` : ''}`.trim();
  return `${Math.floor(h / 24)} d`;
}

/** `<input type="datetime-local">` value for an instant, in the given zone. */
export function toLocalInput(date: Date, zone: string): string {
  return DateTime.fromJSDate(date).setZone(zone).toFormat("yyyy-LL-dd'T'HH:mm");
}

/** The instant a `datetime-local` value means in the given zone, as ISO with offset; null when unreadable. */
export function fromLocalInput(value: string, zone: string): string | null {
  if (!value) return null;
  const t = DateTime.fromISO(value, { zone });
  return t.isValid ? t.toISO({ suppressMilliseconds: true }) : null;
}

export function allTimeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  const own = viewerZone();
  return zones.includes(own) ? zones : [own, ...zones];
}
