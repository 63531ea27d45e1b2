import { DateTime } from 'luxon';

// The declaration's "first noticed" field: a wall-clock time in a chosen zone. Only the declaration pages use
// these, so luxon loads with them and not with the incident list (issue 18, first load).

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
