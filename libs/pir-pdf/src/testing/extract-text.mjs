// Reads a PDF on stdin, prints {"text","pages"} as JSON. Run as a plain Node process: unpdf loads PDF.js as an
// ES module, which Jest's CommonJS sandbox cannot import.
import { extractText, getDocumentProxy } from 'unpdf';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const doc = await getDocumentProxy(new Uint8Array(Buffer.concat(chunks)));
const { text, totalPages } = await extractText(doc, { mergePages: true });
process.stdout.write(JSON.stringify({ text, pages: totalPages }));
