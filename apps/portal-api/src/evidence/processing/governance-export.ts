import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import { credentialPairName, PAIR_VALUE_KEYS, redactText, SecretRulePass, type SecretRuleHit } from '@portal/har-sanitizer';
import { EvidenceRejected } from '../evidence.errors';
import { ReportCounter, type EvidenceReport } from './redaction-report';

/**
 * governance_event exports as the Hub API produces them: a JSON array of objects, NDJSON (one object per
 * line) or CSV with a header row. The format is told by the first non-blank byte (`[`, `{`, anything else).
 * Validated while streaming; every value goes through the secret scan (`redactText`), values of fields with a
 * sensitive name (password, token, secret, ...) and of `{<label>: ..., value: ...}` records whose label names a
 * credential are replaced whole, then every string that is about to be written (values and keys) goes through
 * the maintained rule set (secretlint, `SecretRulePass`) in batches of about 1 MiB of input, and the sanitized
 * records are written in the same format. Errors never quote the input.
 */
export type GovernanceExportFormat = 'json' | 'ndjson' | 'csv';

export interface GovernanceExportInsights {
  format: GovernanceExportFormat;
  records: number;
  /** Top-level keys seen (JSON) or the CSV header, at most 50. */
  fields: string[];
  firstAt: string | null;
  lastAt: string | null;
  /** Most frequent values of an action-like field (action, event_type, type, ...). */
  actions: { value: string; count: number }[];
  /** Most frequent values of an outcome-like field (status, outcome, result, level, ...). */
  outcomes: { value: string; count: number }[];
}

export const GOVERNANCE_CONTENT_TYPES: Record<GovernanceExportFormat, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv',
};

const TIME_KEY = /^(occurred_?at|timestamp|time|ts|created_?at|event_?time|date_?time|date)$/i;
const ACTION_KEY = /^(action|event_?type|event_?name|event|type|operation|activity)$/i;
const OUTCOME_KEY = /^(status|outcome|result|severity|level)$/i;
const MAX_DEPTH = 64;
const MAX_FIELDS = 50;
const MAX_DISTINCT = 1000;

const BRACKET_OPEN = 0x5b;
const BRACKET_CLOSE = 0x5d;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** A field name is sensitive when the secret scan would redact `name=value`: the HAR sanitizer's own name list. */
const sensitiveNames = new Map<string, boolean>();
export function isSensitiveFieldName(name: string): boolean {
  const key = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  let hit = sensitiveNames.get(key);
  if (hit === undefined) {
    hit = key.length > 0 && redactText(`${key}=probe0value`).findings.some((f) => f.rule.startsWith('param:'));
    if (sensitiveNames.size < 10_000) sensitiveNames.set(key, hit);
  }
  return hit;
}

/**
 * Credential pairs (`{"name":"password","value":"..."}`, `{"type":"api_key","value":"..."}`, CSV columns
 * label,value): when any other field holds a short label naming a credential, the value-like fields are the secret.
 */
function pairName(entries: [string, unknown][]): string | null {
  return credentialPairName(entries, isSensitiveFieldName);
}

/** Input bytes whose records go to the rule set together (one worker round trip per batch). */
const BATCH_INPUT_BYTES = 1024 * 1024;

/** A sanitized record waiting for the rule set: a JSON object, or CSV cells (header row or record). */
type PendingRecord = { json: Record<string, Json> } | { cells: string[] };

class Tally {
  private readonly counts = new Map<string, number>();
  add(v: string): void {
    if (this.counts.has(v) || this.counts.size < MAX_DISTINCT) this.counts.set(v, (this.counts.get(v) ?? 0) + 1);
  }
  top(n: number) {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, n)
      .map(([value, count]) => ({ value, count }));
  }
}

export class GovernanceExportSanitizer extends Transform {
  private readonly counter = new ReportCounter();
  private format: GovernanceExportFormat | null = null;
  private records = 0;
  private readonly fields: string[] = [];
  private readonly fieldSet = new Set<string>();
  private first: number | null = null;
  private last: number | null = null;
  private readonly actions = new Tally();
  private readonly outcomes = new Tally();
  private sawBytes = false;
  private bomChecked = false;
  private head: Buffer = Buffer.alloc(0);

  // JSON array scanner state
  private arrayPhase: 'open' | 'expectRecord' | 'afterRecord' | 'record' | 'closed' = 'open';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;

  // NDJSON state
  private line = 1;

  // CSV state
  private readonly decoder = new StringDecoder('utf8');
  private row: string[] = [];
  private field = '';
  private inQuotes = false;
  private quoteClosed = false;
  private fieldStarted = false;
  private rowChars = 0;
  private header: string[] | null = null;
  private csvLine = 1;

  private readonly secrets = new SecretRulePass(this.counter);
  private pending: PendingRecord[] = [];
  private unbatchedBytes = 0;
  private written = 0;
  private insightsOut: GovernanceExportInsights | null = null;

  constructor(private readonly opts: { maxRecordBytes: number }) {
    super();
  }

  result(): { contentType: string; report: EvidenceReport; insights: GovernanceExportInsights } {
    if (!this.format) throw new Error('the export has not been read yet');
    return {
      contentType: GOVERNANCE_CONTENT_TYPES[this.format],
      report: this.counter.toReport(),
      insights: this.insightsOut ?? this.rawInsights(),
    };
  }

  private rawInsights(): GovernanceExportInsights {
    return {
      format: this.format!,
      records: this.records,
      fields: this.fields,
      firstAt: this.first === null ? null : new Date(this.first).toISOString(),
      lastAt: this.last === null ? null : new Date(this.last).toISOString(),
      actions: this.actions.top(10),
      outcomes: this.outcomes.top(10),
    };
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.accept(chunk);
    } catch (e) {
      cb(e as Error);
      return;
    }
    this.unbatchedBytes += chunk.length;
    if (this.unbatchedBytes < BATCH_INPUT_BYTES) {
      cb();
      return;
    }
    this.drain().then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.finish();
    } catch (e) {
      cb(e as Error);
      return;
    }
    this.drain()
      .then(async () => {
        // the insights quote values (actions, outcomes, field names): the rule set sees them too
        const raw = this.rawInsights();
        const candidates = new Set<string>();
        this.secrets.collect(raw as unknown as Json, candidates);
        this.insightsOut = candidates.size
          ? (this.secrets.apply(raw as unknown as Json, await this.secrets.scan(candidates)) as unknown as GovernanceExportInsights)
          : raw;
        if (this.format === 'json') this.push(this.written === 0 ? '[]\n' : '\n]\n');
      })
      .then(() => cb(), cb);
  }

  /** Runs the rule set over the records waiting, then writes them in order. */
  private async drain(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.unbatchedBytes = 0;
    if (batch.length === 0) return;
    const candidates = new Set<string>();
    for (const r of batch) this.secrets.collect('json' in r ? r.json : r.cells, candidates);
    const hits: Map<string, SecretRuleHit> = candidates.size ? await this.secrets.scan(candidates) : new Map();
    let out = '';
    for (const r of batch) {
      if ('json' in r) {
        const json = JSON.stringify(this.secrets.apply(r.json, hits));
        out += this.format === 'json' ? (this.written === 0 ? '[\n' : ',\n') + json : `${json}\n`;
      } else {
        const cells = this.secrets.apply(r.cells, hits).map((c) => {
          const safe = neutraliseFormula(c);
          if (safe !== c) this.counter.add('csv-formula');
          return csvCell(safe);
        });
        out += `${cells.join(',')}\r\n`;
      }
      this.written++;
    }
    this.push(out);
  }

  private accept(chunk: Buffer, ended = false): void {
    let buf = chunk;
    if (!this.bomChecked) {
      // a UTF-8 byte-order mark may arrive split over chunks: hold the first bytes until there are three
      buf = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      if (buf.length < 3 && !ended) {
        this.head = buf;
        return;
      }
      this.head = Buffer.alloc(0);
      this.bomChecked = true;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (!this.format) {
      let i = 0;
      while (i < buf.length && isSpace(buf[i])) i++;
      if (i === buf.length) return;
      this.sawBytes = true;
      this.format = buf[i] === BRACKET_OPEN ? 'json' : buf[i] === BRACE_OPEN ? 'ndjson' : 'csv';
      buf = buf.subarray(i);
    }
    if (buf.includes(0)) throw new EvidenceRejected('not_governance_export', 'the export contains binary data (NUL bytes); expected JSON, NDJSON or CSV text');
    if (this.format === 'json') this.scanArray(buf);
    else if (this.format === 'ndjson') this.scanLines(buf);
    else this.scanCsv(this.decoder.write(buf));
  }

  private finish(): void {
    if (!this.bomChecked) this.accept(Buffer.alloc(0), true);
    if (!this.format || !this.sawBytes) throw new EvidenceRejected('empty', 'the export is empty');
    if (this.format === 'json') {
      if (this.arrayPhase !== 'closed') throw new EvidenceRejected('truncated', 'the JSON array ended before its closing "]": the file is truncated');
    } else if (this.format === 'ndjson') {
      if (this.pieceBytes > 0) this.ndjsonLine(true);
      if (this.records === 0) throw new EvidenceRejected('empty', 'the export has no records');
    } else {
      this.scanCsv(this.decoder.end());
      if (this.inQuotes) throw new EvidenceRejected('truncated', `a quoted CSV field opened on line ${this.csvLine} is never closed: the file is truncated`);
      if (this.fieldStarted || this.row.length > 0) this.endCsvRow();
      if (!this.header) throw new EvidenceRejected('empty', 'the CSV has no header row');
    }
  }

  // ---- JSON array of objects --------------------------------------------------------------------------

  private scanArray(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      const b = buf[i];
      if (this.arrayPhase === 'record') {
        const start = i;
        for (; i < buf.length; i++) {
          const c = buf[i];
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (c === BACKSLASH) this.escaped = true;
            else if (c === QUOTE) this.inString = false;
          } else if (c === QUOTE) this.inString = true;
          else if (c === BRACE_OPEN || c === BRACKET_OPEN) this.depth++;
          else if (c === BRACE_CLOSE || c === BRACKET_CLOSE) {
            this.depth--;
            if (this.depth === 0) {
              i++;
              break;
            }
          }
        }
        this.keep(buf.subarray(start, i));
        if (this.depth === 0) {
          this.emitRecord(Buffer.concat(this.pieces, this.pieceBytes).toString('utf8'), `record ${this.records + 1}`);
          this.pieces = [];
          this.pieceBytes = 0;
          this.arrayPhase = 'afterRecord';
        }
        continue;
      }
      i++;
      if (isSpace(b)) continue;
      switch (this.arrayPhase) {
        case 'open':
          if (b !== BRACKET_OPEN) throw this.notJson();
          this.arrayPhase = 'expectRecord';
          break;
        case 'expectRecord':
          if (b === BRACKET_CLOSE && this.records === 0) this.arrayPhase = 'closed';
          else if (b === BRACE_OPEN) {
            this.arrayPhase = 'record';
            this.depth = 1;
            this.inString = false;
            this.escaped = false;
            this.keep(Buffer.from('{'));
          } else if (b === BRACKET_CLOSE) throw new EvidenceRejected('not_json', 'the JSON array has a trailing comma');
          else
            throw new EvidenceRejected(
              'not_governance_export',
              `record ${this.records + 1} of the JSON array is not an object; each governance event must be a JSON object`,
            );
          break;
        case 'afterRecord':
          if (b === COMMA) this.arrayPhase = 'expectRecord';
          else if (b === BRACKET_CLOSE) this.arrayPhase = 'closed';
          else throw this.notJson();
          break;
        case 'closed':
          throw new EvidenceRejected('not_json', 'there is data after the end of the JSON array');
      }
    }
  }

  private keep(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pieceBytes += piece.length;
    if (this.pieceBytes > this.opts.maxRecordBytes) throw this.recordTooLarge();
    this.pieces.push(piece);
  }

  private notJson(): EvidenceRejected {
    return new EvidenceRejected('not_json', `the JSON array is not valid JSON after record ${this.records}`);
  }

  private recordTooLarge(): EvidenceRejected {
    return new EvidenceRejected('record_too_large', `record ${this.records + 1} is larger than ${Math.round(this.opts.maxRecordBytes / 1024)} KiB`);
  }

  private emitRecord(text: string, where: string, lastLine = false): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // V8's message quotes the input: never passed on.
      if (lastLine) throw new EvidenceRejected('truncated', `${where} is not complete JSON: the file is truncated`);
      throw new EvidenceRejected('not_json', `${where} is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new EvidenceRejected('not_governance_export', `${where} is not a JSON object; each governance event must be one`);
    }
    const obj = parsed as Record<string, Json>;
    this.pending.push({ json: this.record(obj) });
    this.records++;
  }

  private record(obj: Record<string, Json>): Record<string, Json> {
    const out: Record<string, Json> = {};
    const entries = Object.entries(obj);
    const pair = pairName(entries);
    for (const [k, v] of entries) {
      const key = this.text(k);
      if (this.fieldSet.size < MAX_FIELDS && !this.fieldSet.has(key)) {
        this.fieldSet.add(key);
        this.fields.push(key);
      }
      this.observe(k, v);
      out[key] = this.value(k, v, 1, pair);
    }
    return out;
  }

  /** Insights read the original value of time / action / outcome fields; what they keep is scanned. */
  private observe(key: string, v: Json): void {
    if (TIME_KEY.test(key)) {
      const t = typeof v === 'number' ? (v > 1e12 ? v : v * 1000) : typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isFinite(t) && Math.abs(t) < 8.64e15) {
        this.first = this.first === null ? t : Math.min(this.first, t);
        this.last = this.last === null ? t : Math.max(this.last, t);
      }
    } else if (typeof v === 'string' && v.length > 0 && v.length <= 120) {
      if (ACTION_KEY.test(key)) this.actions.add(this.text(v));
      else if (OUTCOME_KEY.test(key)) this.outcomes.add(this.text(v));
    }
  }

  /** `pair`: the sensitive name of the name/value pair this value belongs to, if any. */
  private value(key: string, v: Json, depth: number, pair: string | null = null): Json {
    if (v === null) return null;
    const pairValue = pair !== null && PAIR_VALUE_KEYS.has(key.toLowerCase());
    if ((pairValue || isSensitiveFieldName(key)) && !(typeof v === 'string' && v.length === 0))
      return this.counter.mark(`field:${ruleKey(pairValue ? pair : key)}`);
    if (typeof v === 'string') return this.text(v);
    if (typeof v !== 'object') return v;
    if (depth >= MAX_DEPTH) return this.counter.mark('too-deep');
    if (Array.isArray(v)) return v.map((x) => this.value(key, x, depth + 1));
    const out: Record<string, Json> = {};
    const entries = Object.entries(v);
    const inner = pairName(entries);
    for (const [k, x] of entries) out[this.text(k)] = this.value(k, x, depth + 1, inner);
    return out;
  }

  private text(s: string): string {
    if (s.length < 8) return s;
    const r = redactText(s);
    for (const f of r.findings) this.counter.add(f.rule, f.count);
    return r.text;
  }

  // ---- NDJSON ----------------------------------------------------------------------------------------

  private scanLines(buf: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NEWLINE, start);
      if (nl < 0) {
        this.keep(buf.subarray(start));
        return;
      }
      this.keep(buf.subarray(start, nl));
      this.ndjsonLine(false);
      start = nl + 1;
    }
  }

  private ndjsonLine(last: boolean): void {
    const text = Buffer.concat(this.pieces, this.pieceBytes).toString('utf8').trim();
    this.pieces = [];
    this.pieceBytes = 0;
    const where = `line ${this.line}`;
    this.line++;
    if (text.length === 0) return;
    if (!text.startsWith('{')) throw new EvidenceRejected('not_governance_export', `${where} is not a JSON object; NDJSON has one object per line`);
    this.emitRecord(text, where, last);
  }

  // ---- CSV (RFC 4180) -------------------------------------------------------------------------------

  private scanCsv(s: string): void {
    const max = this.opts.maxRecordBytes;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (++this.rowChars > max) throw this.recordTooLarge();
      if (this.inQuotes) {
        if (c === '"') {
          if (s[i + 1] === '"') {
            this.field += '"';
            i++;
          } else if (i + 1 === s.length) {
            // the next chunk decides whether this quote is escaped: look ahead by holding it
            this.inQuotes = false;
            this.quoteClosed = true;
            this.pendingQuote = true;
          } else {
            this.inQuotes = false;
            this.quoteClosed = true;
          }
        } else {
          if (c === '\n') this.csvLine++;
          this.field += c;
        }
        continue;
      }
      if (this.pendingQuote) {
        this.pendingQuote = false;
        if (c === '"') {
          // it was an escaped quote after all
          this.field += '"';
          this.inQuotes = true;
          this.quoteClosed = false;
          continue;
        }
      }
      if (c === ',') {
        this.endCsvField();
      } else if (c === '\n') {
        this.endCsvRow();
        this.csvLine++;
      } else if (c === '\r') {
        if (this.quoteClosed || this.fieldStarted || this.row.length > 0) continue;
      } else if (this.quoteClosed) {
        throw new EvidenceRejected('not_governance_export', `line ${this.csvLine} has text after a closing quote; not valid CSV`);
      } else if (c === '"' && !this.fieldStarted) {
        this.inQuotes = true;
        this.fieldStarted = true;
      } else {
        this.field += c;
        this.fieldStarted = true;
      }
    }
  }

  private pendingQuote = false;

  private endCsvField(): void {
    this.row.push(this.field);
    this.field = '';
    this.fieldStarted = false;
    this.quoteClosed = false;
  }

  private endCsvRow(): void {
    this.endCsvField();
    const row = this.row;
    this.row = [];
    this.rowChars = 0;
    if (row.length === 1 && row[0] === '') return; // blank line
    if (!this.header) {
      const names = row.map((h) => h.trim());
      if (names.length < 2 || names.some((n) => n.length === 0 || n.length > 200) || new Set(names).size !== names.length) {
        throw new EvidenceRejected(
          'not_governance_export',
          'expected a JSON array, NDJSON (one object per line) or CSV whose first line is a header of at least two distinct column names',
        );
      }
      this.header = names;
      const clean = names.map((n) => this.text(n));
      for (const n of clean.slice(0, MAX_FIELDS)) this.fields.push(n);
      this.pending.push({ cells: clean });
      return;
    }
    if (row.length !== this.header.length) {
      throw new EvidenceRejected('not_governance_export', `line ${this.csvLine} has ${row.length} fields; the header has ${this.header.length}`);
    }
    const pair = pairName(row.map((v, i) => [this.header![i], v]));
    const cells = row.map((v, i) => {
      const key = this.header![i];
      this.observe(key, v);
      return this.value(key, v, 1, pair) as string;
    });
    this.pending.push({ cells });
    this.records++;
  }
}

const ruleKey = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]/g, '_')
    .slice(0, 64) || '_';

/** Cells starting with = + - @ (or a tab / CR) run as formulas when the CSV is opened in a spreadsheet (CSV injection). */
function neutraliseFormula(v: string): string {
  if (!/^[=+\-@\t\r]/.test(v)) return v;
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v)) return v;
  return `'${v}`;
}

function csvCell(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
