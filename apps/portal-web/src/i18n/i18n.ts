import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { de } from './de';
import { en } from './en';

/**
 * The interface's message catalogue (i18next + react-i18next). One namespace per part of the portal; today
 * `declare` (the declaration flow, issue 18) in English and German. Imported by the pages that use it, so the
 * catalogue is not part of the incident list's first load. A new language: a file like de.ts, listed below.
 */
export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE = 'portal.language';

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE);
    if (LANGUAGES.some((l) => l.code === saved)) return saved as Language;
  } catch {
    /* storage disabled: English */
  }
  return 'en';
}

if (!i18next.isInitialized) {
  void i18next.use(initReactI18next).init({
    resources: { en, de },
    lng: initialLanguage(),
    fallbackLng: 'en',
    ns: ['declare'],
    defaultNS: 'declare',
    interpolation: { escapeValue: false }, // React escapes
    initAsync: false,
  });
}

/** Switches the interface language and remembers it in this browser (the translated part carries its own `lang`). */
export function setLanguage(code: Language): void {
  try {
    localStorage.setItem(STORAGE, code);
  } catch {
    /* not remembered */
  }
  void i18next.changeLanguage(code);
}

export { i18next };

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'declare';
    resources: typeof en;
  }
}
