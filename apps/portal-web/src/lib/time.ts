// Times are formatted with Intl alone: luxon stays out of the first screen (issue 18, first load); the two helpers
// for <input type="datetime-local"> that need it live in ./local-input, used only by the declaration pages.

/** The viewer's own IANA zone; every time in the portal is shown in it, with the zone named. */
export const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU'];

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Intl.DateTimeFormat is slow to build: one per locale, zone and option set. */
function formatter(locale: string, zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

const part = (parts: Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';

/** The zone's short name in a locale at an instant: "CET", "GMT+1". */
function shortZoneName(zone: string, locale: string, at: Date): string {
  const opts: Intl.DateTimeFormatOptions = {
    hour12: false,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  return part(formatter(locale, zone, opts).formatToParts(at), 'timeZoneName');
}

/** "CET", "EST", "IST" where some English locale has a name for the zone, else "GMT+5:30". */
export function zoneAbbreviation(zone: string, at: Date = new Date()): string {
  let fallback = '';
  for (const locale of ABBREVIATION_LOCALES) {
    const name = shortZoneName(zone, locale, at);
    if (!fallback) fallback = name;
    if (name === 'GMT' || name === 'UTC' || !/^GMT[+-]/.test(name)) return name;
  }
  return fallback || zone;
}

interface Fields {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}
/** An instant's calendar fields in a zone (en-GB: day and month names as the portal writes them). */
function fields(at: Date, zone: string, month: 'short' | 'long'): Fields {
  const parts = formatter('en-GB', zone, {
    year: 'numeric',
    month,
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  return {
    year: part(parts, 'year'),
    month: part(formatter('en-GB', zone, { month }).formatToParts(at), 'month'),
    day: part(parts, 'day'),
    hour: part(parts, 'hour').padStart(2, '0'),
    minute: part(parts, 'minute').padStart(2, '0'),
    second: part(parts, 'second').padStart(2, '0'),
  };
}

function parseInstant(iso: string): Date | null {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? null : t;
}

/** "14:05 CET" today, "22 Nov 14:05 CET" on other days, with the year when it differs. */
export function formatTime(iso: string | null | undefined, zone: string = viewerZone()): string {
  if (!iso) return '—';
  const at = parseInstant(iso);
  if (!at) return '—';
  const t = fields(at, zone, 'short');
  const now = fields(new Date(), zone, 'short');
  const sameYear = t.year === now.year;
  const sameDay = sameYear && t.month === now.month && t.day === now.day;
  const clock = `${t.hour}:${t.minute}`;
  const text = sameDay ? clock : sameYear ? `${t.day} ${t.month} ${clock}` : `${t.day} ${t.month} ${t.year} ${clock}`;
  return `${text} ${zoneAbbreviation(zone, at)}`;
}

/** Full date and time for tooltips and machine-readable `<time>` titles. */
export function formatFull(iso: string | null | undefined, zone: string = viewerZone()): string {
  if (!iso) return '';
  const at = parseInstant(iso);
  if (!at) return '';
  const t = fields(at, zone, 'long');
  const weekday = part(formatter('en-GB', zone, { weekday: 'long' }).formatToParts(at), 'weekday');
  return `${weekday} ${t.day} ${t.month} ${t.year}, ${t.hour}:${t.minute}:${t.second} ${zoneAbbreviation(zone, at)} (${zone})`;
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

export function allTimeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  const own = viewerZone();
  return zones.includes(own) ? zones : [own, ...zones];
}
