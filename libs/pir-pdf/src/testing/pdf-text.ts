import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** Text of a PDF (whitespace collapsed) and its page count, extracted with unpdf (PDF.js) in a child Node process. */
export function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'extract-text.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`text extraction failed: ${Buffer.concat(err).toString()}`));
      const parsed = JSON.parse(Buffer.concat(out).toString()) as { text: string; pages: number };
      resolve({ text: parsed.text.replace(/\s+/g, ' '), pages: parsed.pages });
    });
    child.stdin.end(pdf);
  });
}
