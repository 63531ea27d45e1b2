import type { ComboboxItem, ComboboxParsedItem, OptionsFilter } from '@mantine/core';

/**
 * Abbreviations people type for a zone ("CET", "PST", "IST"): Intl names only some of them, and one
 * abbreviation can mean several zones (IST is India, Ireland and Israel), so they are listed here.
 */
const ZONE_ABBREVIATIONS: Record<string, string[]> = {
  UTC: ['UTC', 'Etc/UTC'],
  GMT: ['Europe/London', 'UTC', 'Etc/GMT'],
  BST: ['Europe/London'],
  WET: ['Europe/Lisbon', 'Atlantic/Canary'],
  WEST: ['Europe/Lisbon', 'Atlantic/Canary'],
  CET: [
    'Europe/Berlin',
    'Europe/Paris',
    'Europe/Rome',
    'Europe/Madrid',
    'Europe/Amsterdam',
    'Europe/Brussels',
    'Europe/Vienna',
    'Europe/Zurich',
    'Europe/Stockholm',
    'Europe/Oslo',
    'Europe/Copenhagen',
    'Europe/Warsaw',
    'Europe/Prague',
    'Europe/Budapest',
  ],
  EET: ['Europe/Athens', 'Europe/Helsinki', 'Europe/Bucharest', 'Europe/Kyiv', 'Europe/Kiev', 'Europe/Sofia', 'Africa/Cairo'],
  MSK: ['Europe/Moscow'],
  IST: ['Asia/Kolkata', 'Asia/Calcutta', 'Europe/Dublin', 'Asia/Jerusalem'],
  GST: ['Asia/Dubai'],
  PKT: ['Asia/Karachi'],
  ICT: ['Asia/Bangkok', 'Asia/Ho_Chi_Minh', 'Asia/Saigon'],
  WIB: ['Asia/Jakarta'],
  SGT: ['Asia/Singapore'],
  HKT: ['Asia/Hong_Kong'],
  PHT: ['Asia/Manila'],
  JST: ['Asia/Tokyo'],
  KST: ['Asia/Seoul'],
  AWST: ['Australia/Perth'],
  ACST: ['Australia/Adelaide', 'Australia/Darwin'],
  AEST: ['Australia/Sydney', 'Australia/Melbourne', 'Australia/Brisbane'],
  NZST: ['Pacific/Auckland'],
  HST: ['Pacific/Honolulu'],
  AKST: ['America/Anchorage'],
  PST: ['America/Los_Angeles', 'America/Vancouver', 'America/Tijuana'],
  MST: ['America/Denver', 'America/Phoenix', 'America/Edmonton'],
  CST: ['America/Chicago', 'America/Mexico_City', 'America/Winnipeg', 'Asia/Shanghai'],
  EST: ['America/New_York', 'America/Toronto', 'America/Detroit'],
  AST: ['America/Halifax', 'America/Puerto_Rico', 'Asia/Riyadh'],
  BRT: ['America/Sao_Paulo'],
  ART: ['America/Argentina/Buenos_Aires', 'America/Buenos_Aires'],
  WAT: ['Africa/Lagos'],
  CAT: ['Africa/Maputo', 'Africa/Harare'],
  EAT: ['Africa/Nairobi'],
  SAST: ['Africa/Johannesburg'],
};
// Summer names and the short "PT"/"ET" forms mean the same zones.
const SAME_AS: Record<string, string> = {
  CEST: 'CET',
  EEST: 'EET',
  IDT: 'IST',
  AEDT: 'AEST',
  ACDT: 'ACST',
  NZDT: 'NZST',
  HDT: 'HST',
  AKDT: 'AKST',
  PDT: 'PST',
  PT: 'PST',
  MDT: 'MST',
  MT: 'MST',
  CDT: 'CST',
  CT: 'CST',
  EDT: 'EST',
  ET: 'EST',
  ADT: 'AST',
};

/** Zones Chromium still lists under their older names, findable by the current city name too. */
const CURRENT_NAMES: Record<string, string> = {
  'Asia/Calcutta': 'Kolkata',
  'Europe/Kiev': 'Kyiv',
  'Asia/Saigon': 'Ho Chi Minh',
  'Asia/Katmandu': 'Kathmandu',
  'Asia/Rangoon': 'Yangon',
  'America/Godthab': 'Nuuk',
  'Atlantic/Faeroe': 'Faroe',
  'America/Buenos_Aires': 'Argentina Buenos Aires',
};

/** "America/New_York" and "new york" both read "america new york". */
const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[_/\-.,]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** The IANA zones an abbreviation stands for ("cet" → Europe/Berlin, Europe/Paris…), empty when it is none. */
export function zonesForAbbreviation(search: string): string[] {
  const key = search.trim().toUpperCase();
  return ZONE_ABBREVIATIONS[SAME_AS[key] ?? key] ?? [];
}

/** Whether a zone matches what was typed: any part of its name, spaces and underscores alike ("New York", "new_york", "york"). */
export function zoneMatches(zone: string, search: string): boolean {
  const typed = words(search);
  return typed === '' || words(zone).includes(typed) || words(CURRENT_NAMES[zone] ?? '').includes(typed);
}

/** Zones matching the search, those an abbreviation names first, in list order otherwise. */
export function searchZones(zones: readonly string[], search: string): string[] {
  const named = zonesForAbbreviation(search).filter((z) => zones.includes(z));
  return [...named, ...zones.filter((z) => !named.includes(z) && zoneMatches(z, search))];
}

/** The time-zone Select's filter: finds "New York" and "CET" as well as "America/New_York". */
export const zoneFilter: OptionsFilter = ({ options, search, limit }) => {
  const items = options.filter((o): o is ComboboxItem => 'value' in o);
  const byValue = new Map(items.map((o) => [o.value, o]));
  const found: ComboboxParsedItem[] = searchZones(
    items.map((o) => o.value),
    search,
  ).map((z) => byValue.get(z)!);
  return found.slice(0, limit);
};
