export * from './model';
export * from './errors';
export { renderMarkdown } from './markdown';
export { renderPirHtml, documentMeta, type PirHtml, type PirDocumentMeta } from './html';
export { PirPdfRenderer, pirContentHash, type PirPdfRendererOptions, type PirRendererStats } from './renderer';
