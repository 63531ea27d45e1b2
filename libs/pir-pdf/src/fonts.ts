import { readFileSync } from 'node:fs';
import * as path from 'node:path';

let cached: string | null = null;

/** @font-face rules for Inter (latin, 400/600/700; other scripts fall back to system fonts) with the woff2 files inlined as data URLs. */
export function interFontFaces(): string {
  if (cached) return cached;
  const dir = path.join(path.dirname(require.resolve('@fontsource/inter/LICENSE')), 'files');
  const rules: string[] = [];
  for (const subset of ['latin']) {
    for (const weight of [400, 600, 700]) {
      const file = path.join(dir, `inter-${subset}-${weight}-normal.woff2`);
      const data = readFileSync(file).toString('base64');
      rules.push(
        `@font-face{font-family:'Inter';font-style:normal;font-weight:${weight};font-display:block;` +
          `src:url(data:font/woff2;base64,${data}) format('woff2');}`,
      );
    }
  }
  cached = rules.join('\n');
  return cached;
}
