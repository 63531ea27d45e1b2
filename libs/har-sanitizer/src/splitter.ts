import { HarFormatError } from './types';

/**
 * Byte-level splitter for HAR JSON.
 *
 * It does not tokenize JSON. It tracks only what is needed to find element boundaries: whether the
 * current byte is inside a string (with backslash escapes), bracket depth, and - outside `log.entries` -
 * the keys of the root and `log` objects. Each element of `log.entries` is handed over as one complete
 * JSON text, which the caller parses with JSON.parse (the validator). Everything outside the entries
 * array (the "envelope": version, creator, pages, ...) is buffered (capped) and validated with
 * JSON.parse too, so a document is accepted only if it is valid JSON as a whole.
 *
 * Strings inside an entry longer than `maxStringBytes` are not buffered: their content is skipped as it
 * streams by and replaced with `"<elidedPrefix><length>"`, so a 500 MB video body does not need 500 MB.
 */

const OBJ = 0x7b; // {
const ARR = 0x5b; // [
const OBJ_END = 0x7d;
const ARR_END = 0x5d;
const QUOTE = 0x22;
const BSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

const enum Mode {
  Start,
  Envelope,
  Between,
  Entry,
}
const enum Sep {
  ElemOrEnd,
  Elem,
  CommaOrEnd,
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isValueStart = (c: number): boolean =>
  c === OBJ || c === ARR || c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;

export interface SplitterEvents {
  /** `log.entries` opened; `log` holds the log fields seen before it (parsed). */
  onHead(log: Record<string, unknown>): void;
  /** One complete element of `log.entries` (JSON text, not yet parsed). */
  onEntry(json: string, index: number): void;
  /** End of input; `log` holds the log fields seen after the entries array. */
  onTail(log: Record<string, unknown>): void;
}

export interface SplitterOptions {
  maxEntryBytes: number;
  maxStringBytes: number;
  elidedPrefix: string;
  /** Cap for a non-object top-level value (only kept to tell "not a HAR" from "not JSON"). */
  maxNonHarBytes?: number;
  /**
   * Deepest nesting of objects and arrays allowed anywhere in the document, the root object being level 1
   * (an entry is level 4). Past it the stream fails at once with `nesting_too_deep`, before anything of that
   * value is buffered or parsed. Default 64.
   */
  maxDepth?: number;
}

/** Levels above an entry: the root object, `log`, `entries`. */
const ENTRY_LEVEL = 3;

export class HarSplitter {
  private mode = Mode.Start;
  private offset = 0; // absolute byte offset of the current chunk
  private chunkId = 0;
  private sawContent = false;
  private rootIsObject = false;

  // --- envelope ---
  private readonly stack: number[] = [];
  private readonly keys: (string | null)[] = [];
  private readonly expectKey: boolean[] = [];
  private readonly afterColon: boolean[] = [];
  private inString = false;
  private escape = false;
  private collectingKey = false;
  private keyParts: Buffer[] = [];
  private keyBytes = 0;
  private keyStart = 0;
  private env: Buffer[] = [];
  private envBytes = 0;
  private envSegStart = 0;
  private phase: 'prefix' | 'suffix' = 'prefix';
  private logSeen = false;
  private rootClosed = false;

  // --- entries ---
  private sep = Sep.ElemOrEnd;
  private entryIndex = 0;
  private depth = 0;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private segStart = 0;
  private strLen = 0;
  private strElided = false;
  private strStartPart = 0;
  private strStartOff = 0;
  private strStartChunk = -1;

  private readonly maxDepth: number;

  constructor(
    private readonly opts: SplitterOptions,
    private readonly events: SplitterEvents,
  ) {
    this.maxDepth = opts.maxDepth ?? 64;
  }

  private tooDeep(where: string): never {
    throw new HarFormatError(
      `${where} nests objects and arrays more than ${this.maxDepth} levels deep (counted from the top of the document); the limit is ${this.maxDepth}`,
      'nesting_too_deep',
    );
  }

  write(buf: Buffer): void {
    const len = buf.length;
    this.chunkId++;
    this.envSegStart = 0;
    this.segStart = 0;
    this.keyStart = 0;
    let i = 0;
    while (i < len) {
      switch (this.mode) {
        case Mode.Start:
          i = this.start(buf, i);
          break;
        case Mode.Envelope:
          i = this.envelope(buf, i);
          break;
        case Mode.Between:
          i = this.between(buf, i);
          break;
        case Mode.Entry:
          i = this.entry(buf, i);
          break;
      }
    }
    // chunk end bookkeeping
    if (this.mode === Mode.Envelope) {
      if (this.collectingKey) this.pushKey(buf.subarray(this.keyStart, len));
      this.pushEnv(buf.subarray(this.envSegStart, len));
    } else if (this.mode === Mode.Entry) {
      if (this.inString && !this.strElided && this.strLen > this.opts.maxStringBytes) this.elideStart(buf);
      if (!(this.inString && this.strElided)) this.pushPart(buf.subarray(this.segStart, len));
      if (this.partsBytes > this.opts.maxEntryBytes) this.tooLarge();
    }
    this.offset += len;
  }

  end(): void {
    if (!this.sawContent) throw new HarFormatError('the upload is empty', 'empty');
    switch (this.mode) {
      case Mode.Start:
        throw new HarFormatError('the upload is empty', 'empty');
      case Mode.Between:
      case Mode.Entry:
        throw new HarFormatError(`the HAR ends inside log.entries (after ${this.entryIndex} complete entries): truncated`, 'truncated');
      case Mode.Envelope:
        break;
    }
    const incomplete = this.inString || this.stack.length > 0;
    if (!this.rootIsObject || this.phase === 'prefix') {
      // no entries array was found: tell apart invalid, truncated and valid-but-not-a-HAR
      let valid: boolean;
      try {
        JSON.parse(this.envText());
        valid = true;
      } catch {
        valid = false;
      }
      if (valid) throw new HarFormatError('valid JSON, but not a HAR: there is no log.entries array', 'not_har');
      if (incomplete) throw new HarFormatError('the input ends before the JSON is complete: truncated', 'truncated');
      throw new HarFormatError('the input is not valid JSON', 'not_json');
    }
    if (incomplete) throw new HarFormatError('the HAR ends after log.entries but before the JSON is complete: truncated', 'truncated');
    let tail: unknown;
    try {
      tail = JSON.parse(`{"log":{"entries":[]${this.envText()}`);
    } catch {
      throw new HarFormatError('the input is not valid JSON after log.entries', 'not_json');
    }
    this.events.onTail((tail as { log: Record<string, unknown> }).log ?? {});
  }

  // ---------------------------------------------------------------- start

  private start(buf: Buffer, i: number): number {
    const len = buf.length;
    for (; i < len; i++) {
      const c = buf[i];
      const abs = this.offset + i;
      if (isWs(c)) continue;
      if (abs < 3 && (c === 0xef || c === 0xbb || c === 0xbf)) continue; // UTF-8 BOM
      this.sawContent = true;
      if (c === OBJ) {
        this.rootIsObject = true;
      } else if (!isValueStart(c)) {
        if (c === 0x1f && buf[i + 1] === 0x8b) throw new HarFormatError('the input is gzip-compressed; gunzip it first', 'not_json');
        throw new HarFormatError('the input is not JSON', 'not_json');
      }
      this.mode = Mode.Envelope;
      this.envSegStart = i;
      return i;
    }
    return i;
  }

  // ---------------------------------------------------------------- envelope

  private pushEnv(b: Buffer): void {
    if (b.length === 0) return;
    this.env.push(b);
    this.envBytes += b.length;
    const cap = this.rootIsObject ? this.opts.maxEntryBytes : (this.opts.maxNonHarBytes ?? 1024 * 1024);
    if (this.envBytes > cap) {
      if (!this.rootIsObject) throw new HarFormatError('the top-level JSON value is not an object, so not a HAR', 'not_har');
      throw new HarFormatError(`the HAR data outside log.entries (${this.phase === 'prefix' ? 'before' : 'after'} it) exceeds ${cap} bytes`, 'entry_too_large');
    }
  }

  private envText(): string {
    return Buffer.concat(this.env, this.envBytes).toString('utf8');
  }

  private pushKey(b: Buffer): void {
    if (this.keyBytes <= 1024) this.keyParts.push(b);
    this.keyBytes += b.length;
  }

  private finishKey(): string | null {
    if (this.keyBytes > 1024) return null;
    const raw = Buffer.concat(this.keyParts).toString('utf8');
    this.keyParts = [];
    this.keyBytes = 0;
    if (!raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return null;
    }
  }

  private envelope(buf: Buffer, i: number): number {
    const len = buf.length;
    const stack = this.stack;
    for (; i < len; i++) {
      const c = buf[i];
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.collectingKey) {
            this.collectingKey = false;
            this.pushKey(buf.subarray(this.keyStart, i));
            this.keyCompleted(this.finishKey());
          }
        }
        continue;
      }
      if (isWs(c)) continue;
      const level = stack.length;
      if (this.rootClosed && this.rootIsObject) throw new HarFormatError('unexpected data after the end of the JSON document', 'not_json');
      if (
        level === 2 &&
        this.afterColon[1] &&
        this.phase === 'prefix' &&
        stack[0] === OBJ &&
        stack[1] === OBJ &&
        this.keys[0] === 'log' &&
        this.keys[1] === 'entries'
      ) {
        if (c !== ARR) throw new HarFormatError('log.entries is not an array, so not a HAR', 'not_har');
        this.afterColon[1] = false;
        this.pushEnv(buf.subarray(this.envSegStart, i));
        this.openEntries();
        this.mode = Mode.Between;
        this.sep = Sep.ElemOrEnd;
        return i + 1;
      }
      if (level > 0) this.afterColon[level - 1] = false;
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (level > 0 && level <= 2 && stack[level - 1] === OBJ && this.expectKey[level - 1]) {
            this.collectingKey = true;
            this.keyStart = i + 1;
            this.keyParts = [];
            this.keyBytes = 0;
          }
          break;
        case OBJ:
        case ARR:
          if (level >= this.maxDepth) {
            if (!this.rootIsObject) throw new HarFormatError('the top-level JSON value is not an object, so not a HAR', 'not_har');
            this.tooDeep(this.phase === 'prefix' ? 'the HAR (before log.entries)' : 'the HAR (after log.entries)');
          }
          stack.push(c);
          this.expectKey[level] = c === OBJ;
          this.afterColon[level] = false;
          this.keys[level] = null;
          break;
        case OBJ_END:
        case ARR_END:
          if (level === 0 || stack[level - 1] !== (c === OBJ_END ? OBJ : ARR)) {
            throw new HarFormatError('the input is not valid JSON (unbalanced brackets)', 'not_json');
          }
          stack.pop();
          if (stack.length === 0) this.rootClosed = true;
          break;
        case COLON:
          if (level > 0) {
            this.afterColon[level - 1] = true;
            this.expectKey[level - 1] = false;
          }
          break;
        case COMMA:
          if (level > 0) this.expectKey[level - 1] = stack[level - 1] === OBJ;
          break;
        default:
          break;
      }
    }
    return i;
  }

  private keyCompleted(key: string | null): void {
    const level = this.stack.length;
    this.keys[level - 1] = key;
    if (level === 1 && key === 'log') {
      if (this.logSeen) throw new HarFormatError('the HAR has two "log" objects', 'not_har');
      this.logSeen = true;
    }
    if (level === 2 && key === 'entries' && this.keys[0] === 'log' && this.phase === 'suffix') {
      throw new HarFormatError('the HAR has two log.entries arrays', 'not_har');
    }
  }

  private openEntries(): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(`${this.envText()}[]}}`);
    } catch {
      throw new HarFormatError('the input is not valid JSON before log.entries', 'not_json');
    }
    this.env = [];
    this.envBytes = 0;
    this.events.onHead((parsed as { log: Record<string, unknown> }).log);
  }

  // ---------------------------------------------------------------- between entries

  private between(buf: Buffer, i: number): number {
    const len = buf.length;
    for (; i < len; i++) {
      const c = buf[i];
      if (isWs(c)) continue;
      if (c === OBJ && this.sep !== Sep.CommaOrEnd) {
        this.mode = Mode.Entry;
        this.depth = 1;
        this.segStart = i;
        this.parts = [];
        this.partsBytes = 0;
        this.inString = false;
        this.escape = false;
        return i + 1;
      }
      if (c === ARR_END && this.sep !== Sep.Elem) {
        this.mode = Mode.Envelope;
        this.phase = 'suffix';
        this.envSegStart = i + 1;
        this.env = [];
        this.envBytes = 0;
        return i + 1;
      }
      if (c === COMMA && this.sep === Sep.CommaOrEnd) {
        this.sep = Sep.Elem;
        continue;
      }
      if (this.sep !== Sep.CommaOrEnd && isValueStart(c)) {
        throw new HarFormatError(`log.entries[${this.entryIndex}] is not an object, so not a HAR`, 'not_har');
      }
      throw new HarFormatError(`the input is not valid JSON (log.entries, at byte ${this.offset + i})`, 'not_json');
    }
    return i;
  }

  // ---------------------------------------------------------------- inside one entry

  private entry(buf: Buffer, i: number): number {
    const len = buf.length;
    let depth = this.depth;
    while (i < len) {
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          this.strLen++;
          i++;
          continue;
        }
        const q = buf.indexOf(QUOTE, i);
        if (q < 0) {
          let n = 0;
          for (let j = len - 1; j >= i && buf[j] === BSLASH; j--) n++;
          this.escape = (n & 1) === 1;
          this.strLen += len - i;
          i = len;
          break;
        }
        let n = 0;
        for (let j = q - 1; j >= i && buf[j] === BSLASH; j--) n++;
        this.strLen += q - i;
        if ((n & 1) === 1) {
          this.strLen++;
          i = q + 1;
          continue;
        }
        this.inString = false;
        if (this.strElided || this.strLen > this.opts.maxStringBytes) this.finishElided(buf, q);
        i = q + 1;
        continue;
      }
      const c = buf[i];
      if (c === QUOTE) {
        this.inString = true;
        this.strLen = 0;
        this.strElided = false;
        this.strStartPart = this.parts.length;
        this.strStartOff = i + 1 - this.segStart;
        this.strStartChunk = this.chunkId;
      } else if (c === OBJ || c === ARR) {
        depth++;
        if (depth + ENTRY_LEVEL > this.maxDepth) this.tooDeep(`log.entries[${this.entryIndex}]`);
      } else if (c === OBJ_END || c === ARR_END) {
        depth--;
        if (depth === 0) {
          this.depth = 0;
          this.completeEntry(buf, i + 1);
          return i + 1;
        }
      }
      i++;
    }
    this.depth = depth;
    return i;
  }

  private pushPart(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.partsBytes += b.length;
  }

  /** Drop what was buffered of the current string (keep everything up to and including its opening quote). */
  private elideStart(buf: Buffer): void {
    if (this.strStartChunk === this.chunkId) {
      this.pushPart(buf.subarray(this.segStart, this.segStart + this.strStartOff));
    } else {
      const p = this.parts[this.strStartPart];
      for (let k = this.parts.length - 1; k > this.strStartPart; k--) this.partsBytes -= this.parts[k].length;
      this.parts.length = this.strStartPart + 1;
      this.partsBytes -= p.length - this.strStartOff;
      this.parts[this.strStartPart] = p.subarray(0, this.strStartOff);
    }
    this.strElided = true;
  }

  private finishElided(buf: Buffer, closingQuote: number): void {
    if (!this.strElided) this.elideStart(buf);
    this.pushPart(Buffer.from(`${this.opts.elidedPrefix}${this.strLen}`, 'latin1'));
    this.segStart = closingQuote;
    this.strElided = false;
  }

  private tooLarge(): never {
    throw new HarFormatError(`log.entries[${this.entryIndex}] is larger than the ${this.opts.maxEntryBytes}-byte limit for one entry`, 'entry_too_large');
  }

  private completeEntry(buf: Buffer, end: number): void {
    let text: string;
    if (this.parts.length === 0) {
      if (end - this.segStart > this.opts.maxEntryBytes) this.tooLarge();
      text = buf.toString('utf8', this.segStart, end);
    } else {
      this.pushPart(buf.subarray(this.segStart, end));
      if (this.partsBytes > this.opts.maxEntryBytes) this.tooLarge();
      text = Buffer.concat(this.parts, this.partsBytes).toString('utf8');
    }
    this.parts = [];
    this.partsBytes = 0;
    this.mode = Mode.Between;
    this.sep = Sep.CommaOrEnd;
    this.events.onEntry(text, this.entryIndex++);
  }
}
