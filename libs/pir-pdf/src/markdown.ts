import * as path from 'node:path';
import sanitizeHtml from 'sanitize-html';
import type { Marked as MarkedClass, Tokens } from 'marked';

/*
 * marked ships ES modules only. Node (≥ 20.19) loads them through require(); Jest's CommonJS sandbox cannot, so
 * there the package's UMD build is loaded by path (`package.json` is an exported subpath, so the path is stable).
 */
function loadMarked(): { Marked: typeof MarkedClass } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const m = require('marked') as { Marked?: typeof MarkedClass };
    if (typeof m.Marked === 'function') return m as { Marked: typeof MarkedClass };
  } catch {
    // fall through to the UMD build
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(path.dirname(require.resolve('marked/package.json')), 'lib', 'marked.umd.js')) as { Marked: typeof MarkedClass };
}
const markedModule = loadMarked();

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const markdown = new markedModule.Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    // Raw HTML written in a section is shown as text, never passed through.
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeText(token.text);
    },
    // Images would be fetched: show their description instead.
    image(token: Tokens.Image): string {
      return escapeText(token.text ? `[image: ${token.text}]` : '[image]');
    },
  },
});

/** Second line of defence: whatever marked produced passes a strict allowlist (no images, no styles, http(s)/mailto links). */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'del',
    's',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'a',
    'hr',
    'h3',
    'h4',
    'h5',
    'h6',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    h1: 'h3',
    h2: 'h4',
  },
};

/** Markdown written by support engineers → HTML safe to place in the document (no raw HTML, no fetches, no scripts). */
export function renderMarkdown(source: string): string {
  const html = markdown.parse(source ?? '', { async: false });
  return sanitizeHtml(html, SANITIZE);
}
