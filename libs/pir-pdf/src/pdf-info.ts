import { PDFDocument } from 'pdf-lib';

export interface PdfInfo {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  creator: string;
  producer: string;
  createdAt: Date;
}

/** A PDF text string as UTF-16BE hex (`<FEFF…>`): any character, nothing to escape. */
function textString(s: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < s.length; i++) hex += s.charCodeAt(i).toString(16).padStart(4, '0');
  return `<${hex}>`;
}

/** PDF date (ISO 32000-1, 7.9.4) in UTC. */
function pdfDate(d: Date): string {
  return `(D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`;
}

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** The body of indirect object `num` (the text between `obj` and `endobj`), found through the classic xref table. */
function objectBody(text: string, xrefAt: number, num: number): string | null {
  const table = /^xref\r?\n(\d+) (\d+)\r?\n/.exec(text.slice(xrefAt, xrefAt + 64));
  if (!table) return null;
  const first = Number(table[1]);
  const count = Number(table[2]);
  if (num < first || num >= first + count) return null;
  // Each entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, type, 2-byte end of line.
  const entryAt = xrefAt + table[0].length + (num - first) * 20;
  const entry = /^(\d{10}) (\d{5}) n/.exec(text.slice(entryAt, entryAt + 20));
  if (!entry) return null;
  const at = Number(entry[1]);
  const m = new RegExp(`^${num} 0 obj\\s*([\\s\\S]*?)\\s*endobj`).exec(text.slice(at, at + 4096));
  return m ? m[1] : null;
}

/**
 * Sets the document information and asks viewers to show the title, by an incremental update (ISO 32000-1, 7.5.6)
 * appended to Chromium's output: a new Info dictionary, a new version of the catalogue, an xref section for the
 * two and a trailer pointing back at the original. A few hundred bytes and well under a millisecond, where loading
 * and saving the whole document with pdf-lib took about 60 ms a PIR. A file that is not laid out as Chromium writes
 * it (cross-reference streams, several xref sections) goes through pdf-lib instead.
 */
export async function withDocumentInfo(pdf: Uint8Array, info: PdfInfo): Promise<{ pdf: Buffer; pages: number }> {
  return incremental(pdf, info) ?? viaPdfLib(pdf, info);
}

function incremental(pdf: Uint8Array, info: PdfInfo): { pdf: Buffer; pages: number } | null {
  const text = latin1(pdf);
  const tail = text.slice(-1024);
  const trailer = /trailer\s*<<([\s\S]*?)>>\s*startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  // One cross-reference section only (a file that was updated before is left to pdf-lib).
  if (!trailer || text.indexOf('startxref') !== text.lastIndexOf('startxref')) return null;
  if (/\/Prev\b|\/Encrypt\b/.test(trailer[1])) return null;
  const size = /\/Size (\d+)/.exec(trailer[1]);
  const root = /\/Root (\d+) 0 R/.exec(trailer[1]);
  if (!size || !root) return null;
  const xrefAt = Number(trailer[2]);
  const catalog = objectBody(text, xrefAt, Number(root[1]));
  if (!catalog || !/^<<[\s\S]*>>$/.test(catalog) || !/\/Type\s*\/Catalog/.test(catalog) || /\/ViewerPreferences/.test(catalog)) return null;
  const pagesRef = /\/Pages (\d+) 0 R/.exec(catalog);
  const pagesObj = pagesRef ? objectBody(text, xrefAt, Number(pagesRef[1])) : null;
  const count = pagesObj ? /\/Count (\d+)/.exec(pagesObj) : null;
  if (!count) return null;

  const infoNum = Number(size[1]);
  const rootNum = Number(root[1]);
  const infoObj =
    `${infoNum} 0 obj\n<< /Title ${textString(info.title)} /Author ${textString(info.author)} /Subject ${textString(info.subject)}` +
    ` /Keywords ${textString(info.keywords.join(' '))} /Creator ${textString(info.creator)} /Producer ${textString(info.producer)}` +
    ` /CreationDate ${pdfDate(info.createdAt)} /ModDate ${pdfDate(info.createdAt)} >>\nendobj\n`;
  const rootObj = `${rootNum} 0 obj\n${catalog.slice(0, -2)} /ViewerPreferences << /DisplayDocTitle true >> >>\nendobj\n`;
  const start = pdf.byteLength + 1; // after the newline that separates the update from %%EOF
  const rootAt = start;
  const infoAt = rootAt + rootObj.length;
  const xrefStart = infoAt + infoObj.length;
  const entry = (offset: number) => `${String(offset).padStart(10, '0')} 00000 n\r\n`;
  const update =
    `\n${rootObj}${infoObj}xref\n${rootNum} 1\n${entry(rootAt)}${infoNum} 1\n${entry(infoAt)}` +
    `trailer\n<< /Size ${infoNum + 1} /Root ${rootNum} 0 R /Info ${infoNum} 0 R /Prev ${xrefAt} >>\nstartxref\n${xrefStart}\n%%EOF\n`;
  return { pdf: Buffer.concat([Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), Buffer.from(update, 'latin1')]), pages: Number(count[1]) };
}

async function viaPdfLib(pdf: Uint8Array, info: PdfInfo): Promise<{ pdf: Buffer; pages: number }> {
  const out = await PDFDocument.load(pdf, { updateMetadata: false });
  out.setTitle(info.title, { showInWindowTitleBar: true });
  out.setAuthor(info.author);
  out.setSubject(info.subject);
  out.setKeywords(info.keywords);
  out.setCreator(info.creator);
  out.setProducer(info.producer);
  out.setCreationDate(info.createdAt);
  out.setModificationDate(info.createdAt);
  return { pdf: Buffer.from(await out.save()), pages: out.getPageCount() };
}

export const testing = { incremental, viaPdfLib };
