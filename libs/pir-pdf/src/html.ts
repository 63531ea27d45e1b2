import Handlebars from 'handlebars';
import { interFontFaces } from './fonts';
import { renderMarkdown } from './markdown';
import type { PirDocumentModel, PirPaperFormat, PirRenderOptions } from './model';
import { DOCUMENT_TEMPLATE, PAGE_BOX_STYLE } from './templates';

const hbs = Handlebars.create();
const compileOptions = { strict: false, noEscape: false, knownHelpersOnly: true } as const;
const documentTemplate = hbs.compile(DOCUMENT_TEMPLATE, compileOptions);

/** Only raster images inlined as base64 are shown (an SVG could reference outside resources). */
const LOGO_RE = /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
const MAX_LOGO_CHARS = 512 * 1024;

export interface PirDocumentMeta {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  format: PirPaperFormat;
}

export interface PirHtml {
  html: string;
  meta: PirDocumentMeta;
}

/**
 * A CSS string every character of which, but letters and digits, is a six-digit hex escape: no way out of it. Spaces
 * are escaped too: CSS swallows one whitespace after an escape.
 */
export function cssString(s: string): string {
  let out = '"';
  for (const ch of s) out += /[A-Za-z0-9]/.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16).padStart(6, '0')}`;
  return `${out}"`;
}

/**
 * Header and footer as page-margin boxes of the document's own @page rule (Chromium 131+), printed with the page:
 * Chromium's header/footer templates laid each page's header and footer out as a document of its own, which
 * doubled the print time of a PIR. `counter(pages)` is the page count.
 */
function pageBoxes(tenant: string, reference: string): string {
  return [
    `@top-left { content: ${cssString(tenant)}; ${PAGE_BOX_STYLE} }`,
    `@top-right { content: ${cssString(`Post-incident review · ${reference}`)}; ${PAGE_BOX_STYLE} }`,
    `@bottom-left { content: ${cssString(`${tenant} · Confidential`)}; ${PAGE_BOX_STYLE} }`,
    `@bottom-right { content: "Page " counter(page) " of " counter(pages); ${PAGE_BOX_STYLE} }`,
  ].join('\n');
}

export function documentMeta(model: PirDocumentModel, options: PirRenderOptions = {}): PirDocumentMeta {
  return {
    title: options.title ?? `Post-incident review ${model.incident.reference}: ${model.incident.title}`,
    author: options.author ?? model.review.author ?? model.tenant.name,
    subject:
      options.subject ??
      `Post-incident review of ${model.incident.severity} incident ${model.incident.reference} for ${model.tenant.name} (version ${model.review.version})`,
    keywords: ['post-incident review', model.incident.reference, model.incident.severity, model.tenant.name],
    format: options.format ?? 'A4',
  };
}

function slug(key: string, index: number): string {
  const s = key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `s${index + 1}-${s || 'section'}`;
}

/** The model as a self-contained HTML document (fonts inline, no external reference) plus header and footer. */
export function renderPirHtml(model: PirDocumentModel, options: PirRenderOptions = {}): PirHtml {
  const meta = documentMeta(model, options);
  type Block = {
    id: string;
    number: number;
    title: string;
    html?: string;
    timeline?: PirDocumentModel['timeline'];
    actionItems?: PirDocumentModel['actionItems'];
    slaOutcomes?: Array<PirDocumentModel['slaOutcomes'][number] & { outcomeClass: string }>;
    emptyText?: string;
  };
  const blocks: Block[] = [];
  let timelinePlaced = false;
  for (const section of model.sections) {
    const block: Block = {
      id: slug(section.key, blocks.length),
      number: blocks.length + 1,
      title: section.title,
      html: section.markdown.trim() ? renderMarkdown(section.markdown) : undefined,
    };
    if (section.key === 'timeline') {
      timelinePlaced = true;
      if (model.timeline.length) block.timeline = model.timeline;
    }
    if (!block.html && !block.timeline) block.emptyText = 'Nothing recorded.';
    blocks.push(block);
  }
  const add = (key: string, title: string, fill: (b: Block) => void, empty: boolean) => {
    const block: Block = { id: slug(key, blocks.length), number: blocks.length + 1, title };
    if (empty) block.emptyText = 'None recorded.';
    else fill(block);
    blocks.push(block);
  };
  if (!timelinePlaced) add('timeline', 'Timeline', (b) => (b.timeline = model.timeline), !model.timeline.length);
  add('action-items', 'Action items', (b) => (b.actionItems = model.actionItems), !model.actionItems.length);
  add(
    'sla-outcomes',
    'SLA outcomes',
    (b) =>
      (b.slaOutcomes = model.slaOutcomes.map((o) => ({
        ...o,
        outcomeClass: /breach/i.test(o.outcome) ? 'outcome-breached' : /met/i.test(o.outcome) ? 'outcome-met' : '',
      }))),
    !model.slaOutcomes.length,
  );
  const logo =
    model.tenant.logoDataUrl && model.tenant.logoDataUrl.length <= MAX_LOGO_CHARS && LOGO_RE.test(model.tenant.logoDataUrl) ? model.tenant.logoDataUrl : null;
  const html = documentTemplate({
    meta,
    format: meta.format,
    fontFaces: interFontFaces(),
    pageBoxes: pageBoxes(model.tenant.name, model.incident.reference),
    logo,
    tenant: model.tenant,
    incident: model.incident,
    review: model.review,
    toc: blocks.map((b) => ({ id: b.id, title: b.title })),
    blocks,
  });
  return { html, meta };
}
