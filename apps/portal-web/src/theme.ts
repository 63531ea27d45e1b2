import { createTheme, DEFAULT_THEME, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

// A calm navy: the portal is opened during outages, so nothing shouts except what must.
const brand: MantineColorsTuple = ['#eef2fb', '#dce3f5', '#b6c4ea', '#8ea3de', '#6c87d4', '#5674ce', '#4a69cc', '#3b58b4', '#314ea3', '#243f8f'];

export const theme = createTheme({
  primaryColor: 'brand',
  primaryShade: 8,
  colors: { brand },
  fontFamily: 'Inter, "Segoe UI", system-ui, -apple-system, Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: '"JetBrains Mono", "SFMono-Regular", Menlo, Consolas, monospace',
  headings: { fontWeight: '650' },
  defaultRadius: 'md',
  cursorType: 'pointer',
  components: {
    // A badge is as wide as its words: squeezed in a table cell on a phone it would otherwise cut them ("Operat…").
    Badge: { defaultProps: { radius: 'sm' }, styles: { root: { flexShrink: 0, minWidth: 'fit-content' }, label: { minWidth: 'fit-content' } } },
    Paper: { defaultProps: { withBorder: true, radius: 'md' } },
    Checkbox: { defaultProps: { radius: 'sm' } },
    Notification: { defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } } },
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } },
    // A dialog's title bar is not the page's banner landmark (axe: landmark-no-duplicate-banner).
    ModalHeader: { defaultProps: { component: 'div' } },
    Alert: { defaultProps: { closeButtonLabel: 'Dismiss' } },
    // Links are told apart from text by more than colour (WCAG 1.4.1): underlined unless a component says otherwise.
    Anchor: { defaultProps: { underline: 'always' } },
    // Tooltips wrap instead of running off a phone's screen (and making the page scroll sideways).
    Tooltip: { defaultProps: { multiline: true, maw: 'min(20rem, calc(100vw - 1rem))' } },
    FileInput: { defaultProps: { clearButtonProps: { 'aria-label': 'Clear the chosen file' } } },
    // An open menu holds only menu items (axe: aria-required-children): no focusable placeholder div at its start.
    // Opening it focuses the first item instead (as the ARIA menu-button pattern has it), which needs the menu
    // visible at once: no fade-in.
    Menu: { defaultProps: { withInitialFocusPlaceholder: false, transitionProps: { duration: 0 } } },
  },
});

// Text colours darkened so every pairing passes WCAG AA (4.5:1) on white and on the light tints.
const DARK_TEXT: Record<string, string> = {
  red: '#a51d1d',
  yellow: '#6b4c00',
  orange: '#8a3700',
  lime: '#3d5a00',
  green: '#1f6b30',
  teal: '#0b5f55',
  cyan: '#0b5868',
};

export const cssVariablesResolver: CSSVariablesResolver = () => {
  const light: Record<string, string> = {
    '--mantine-color-dimmed': '#575f6a',
    '--mantine-color-error': '#b3261e',
    '--mantine-color-placeholder': '#767d87',
    '--mantine-color-anchor': 'var(--mantine-color-brand-8)',
  };
  for (const name of [...Object.keys(DEFAULT_THEME.colors), 'brand']) {
    const dark = DARK_TEXT[name] ?? `var(--mantine-color-${name}-9)`;
    light[`--mantine-color-${name}-light-color`] = dark;
    light[`--mantine-color-${name}-outline`] = dark;
    light[`--mantine-color-${name}-text`] = dark;
  }
  // Dark scheme (h7b-web-polish): text colours lightened so every pairing passes AA on the dark surfaces.
  const dark: Record<string, string> = {
    '--mantine-color-dimmed': '#a9afb9',
    '--mantine-color-error': '#ff8a80',
    '--mantine-color-placeholder': '#a0a7b2',
    '--mantine-color-anchor': 'var(--mantine-color-brand-2)',
    '--mantine-color-body': '#242424',
    '--mantine-color-text': '#e3e6eb',
  };
  for (const name of [...Object.keys(DEFAULT_THEME.colors), 'brand']) {
    dark[`--mantine-color-${name}-light-color`] = `var(--mantine-color-${name}-2)`;
    dark[`--mantine-color-${name}-outline`] = `var(--mantine-color-${name}-3)`;
    dark[`--mantine-color-${name}-text`] = `var(--mantine-color-${name}-2)`;
  }
  return { variables: {}, light, dark };
};

/** A button whose label wraps onto a second line instead of being cut off (long provider names on a phone). */
export const WRAPPING_BUTTON = {
  root: { height: 'auto', minHeight: 'var(--button-height)', paddingBlock: 6 },
  label: { whiteSpace: 'normal', overflow: 'visible', textAlign: 'center' },
} as const;
