import { useDocumentTitle } from '@mantine/hooks';

/** "INC-3 Hub writes failing · Claresia Incident Support": tabs and screen readers say where you are. */
export function usePageTitle(title: string | null | undefined) {
  useDocumentTitle(title ? `${title} · Claresia Incident Support` : 'Claresia Incident Support');
}
