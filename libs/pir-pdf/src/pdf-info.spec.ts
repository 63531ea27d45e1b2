import { PDFDocument } from 'pdf-lib';
import { testing, withDocumentInfo, type PdfInfo } from './pdf-info';

const INFO: PdfInfo = {
  title: 'Post-incident review INC-7: “Sign-in” (ü, 日本, emoji 🚀) ) \\ (',
  author: 'Dana Support',
  subject: 'A subject',
  keywords: ['post-incident review', 'INC-7'],
  creator: 'creator',
  producer: 'producer',
  createdAt: new Date('2026-11-04T15:20:00Z'),
};

/** A PDF laid out as Chromium writes one: a classic xref table, one section, an Info dictionary. */
async function chromiumLike(pages = 3): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage();
  doc.setTitle('old title');
  return doc.save({ useObjectStreams: false });
}

describe('document information by incremental update', () => {
  it('sets every field (any character), asks viewers to show the title, and counts the pages without parsing the file', async () => {
    const original = await chromiumLike(3);
    const res = testing.incremental(original, INFO);
    expect(res).not.toBeNull();
    expect(res!.pages).toBe(3);
    // The original bytes are kept as they were: the update is appended.
    expect(Buffer.compare(res!.pdf.subarray(0, original.byteLength), Buffer.from(original))).toBe(0);
    const back = await PDFDocument.load(res!.pdf, { updateMetadata: false });
    expect(back.getTitle()).toBe(INFO.title);
    expect(back.getAuthor()).toBe('Dana Support');
    expect(back.getSubject()).toBe('A subject');
    expect(back.getKeywords()).toBe('post-incident review INC-7');
    expect(back.getCreationDate()?.toISOString()).toBe('2026-11-04T15:20:00.000Z');
    expect(back.getPageCount()).toBe(3);
    expect(res!.pdf.subarray(original.byteLength).toString('latin1')).toContain('/ViewerPreferences << /DisplayDocTitle true >>');
  });

  it('leaves a file laid out otherwise (cross-reference streams) to pdf-lib', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    const streams = await doc.save({ useObjectStreams: true });
    expect(testing.incremental(streams, INFO)).toBeNull();
    const res = await withDocumentInfo(streams, INFO);
    expect(res.pages).toBe(1);
    expect((await PDFDocument.load(res.pdf)).getTitle()).toBe(INFO.title);
  });

  it('leaves a file that was updated before to pdf-lib', async () => {
    const once = testing.incremental(await chromiumLike(1), INFO)!.pdf;
    expect(testing.incremental(once, INFO)).toBeNull();
  });
});
