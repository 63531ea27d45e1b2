import * as path from 'node:path';
import sanitizeHtml from 'sanitize-html';
import type { Marked as MarkedClass, Tokens } from 'marked';

/*
 * marked ships ESM as its package entry; its UMD build is loaded by path so the library works under CommonJS
 * (Nest's build and Jest) without a loader flag. `package.json` is an exported subpath, so the resolution is stable.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const markedUmd = require(path.join(path.dirname(require.resolve('marked/package.json')), 'lib', 'marked.umd.js')) as {
  Marked: typeof MarkedClass;
};

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const markdown = new markedUmd.Marked({
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
