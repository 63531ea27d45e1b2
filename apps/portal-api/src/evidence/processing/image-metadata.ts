import { Transform, type TransformCallback } from 'node:stream';
import { EvidenceRejected } from '../evidence.errors';
import { ReportCounter, type EvidenceReport } from './redaction-report';

export type ScreenshotFormat = 'png' | 'jpeg';

export interface ScreenshotInsights {
  format: ScreenshotFormat;
  width: number | null;
  height: number | null;
  /** Metadata chunks / segments removed (EXIF with GPS and device, XMP, text comments, timestamps). */
  metadataRemoved: number;
}

/**
 * Copies a PNG or JPEG while dropping its metadata, as a stream (nothing buffered but one JPEG segment,
 * at most 64 KiB). Kept: what a viewer needs to draw the image (and colour profiles). Removed: PNG
 * tEXt/zTXt/iTXt/eXIf/tIME and unknown ancillary chunks; JPEG APP1 (EXIF, XMP), APP3-APP13, APP15,
 * comments, and anything after the end of the image (where polyglot files hide a payload). The structure
 * is checked on the way: a file that is not a well-formed PNG/JPEG is refused.
 */
export class ImageMetadataStripper extends Transform {
  private readonly counter = new ReportCounter();
  private width: number | null = null;
  private height: number | null = null;
  private done = false;
  private pending: Buffer = Buffer.alloc(0);

  // PNG
  private pngState: 'signature' | 'chunkHeader' | 'chunkBody' = 'signature';
  private chunkLeft = 0;
  private chunkKeep = true;
  private chunkIndex = 0;

  // JPEG
  private jpegState: 'soi' | 'marker' | 'segment' | 'scan' = 'soi';
  private segmentMarker = 0;
  private segmentLength = 0;

  constructor(readonly format: ScreenshotFormat) {
    super();
  }

  result(): { contentType: string; report: EvidenceReport; insights: ScreenshotInsights } {
    const report = this.counter.toReport();
    return {
      contentType: this.format === 'png' ? 'image/png' : 'image/jpeg',
      report,
      insights: { format: this.format, width: this.width, height: this.height, metadataRemoved: report.byRule['image-metadata'] ?? 0 },
    };
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (this.done) {
        if (chunk.length) this.trailing();
      } else {
        this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
        if (this.format === 'png') this.png();
        else this.jpeg();
      }
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (!this.done) return cb(this.invalid(`the ${this.format === 'png' ? 'PNG' : 'JPEG'} image is truncated`));
    cb();
  }

  private trailingCounted = false;
  private trailing(): void {
    if (!this.trailingCounted) this.counter.add('image-metadata');
    this.trailingCounted = true;
    this.pending = Buffer.alloc(0);
  }

  private invalid(message: string): EvidenceRejected {
    return new EvidenceRejected('image_invalid', message);
  }

  private consume(n: number): Buffer {
    const b = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return b;
  }

  // ---- PNG: signature, then chunks (length, type, data, crc) until IEND. -------------------------------

  private static readonly PNG_KEEP = new Set([
    'IHDR',
    'PLTE',
    'IDAT',
    'IEND',
    'tRNS',
    'gAMA',
    'cHRM',
    'sRGB',
    'iCCP',
    'sBIT',
    'pHYs',
    'bKGD',
    'hIST',
    'acTL',
    'fcTL',
    'fdAT',
    'cICP',
    'mDCv',
    'cLLi',
  ]);

  private png(): void {
    for (;;) {
      if (this.done) {
        if (this.pending.length) this.trailing();
        return;
      }
      if (this.pngState === 'signature') {
        if (this.pending.length < 8) return;
        this.push(this.consume(8));
        this.pngState = 'chunkHeader';
      } else if (this.pngState === 'chunkHeader') {
        if (this.pending.length < 8) return;
        const header = this.consume(8);
        const length = header.readUInt32BE(0);
        const type = header.subarray(4, 8).toString('latin1');
        if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) throw this.invalid('the PNG has a malformed chunk');
        if (this.chunkIndex === 0 && (type !== 'IHDR' || length !== 13)) throw this.invalid('the PNG does not start with its IHDR header');
        const critical = type[0] === type[0].toUpperCase();
        if (critical && !ImageMetadataStripper.PNG_KEEP.has(type)) throw this.invalid(`the PNG has an unknown critical chunk`);
        this.chunkKeep = ImageMetadataStripper.PNG_KEEP.has(type);
        if (!this.chunkKeep) this.counter.add('image-metadata');
        else this.push(header);
        if (type === 'IHDR') this.ihdrPending = true;
        if (type === 'IEND') this.iendSeen = true;
        this.chunkLeft = length + 4; // data + crc
        this.chunkIndex++;
        this.pngState = 'chunkBody';
      } else {
        if (this.ihdrPending) {
          if (this.pending.length < 8) return;
          this.width = this.pending.readUInt32BE(0);
          this.height = this.pending.readUInt32BE(4);
          this.ihdrPending = false;
        }
        if (this.pending.length === 0) return;
        const n = Math.min(this.chunkLeft, this.pending.length);
        const part = this.consume(n);
        if (this.chunkKeep) this.push(part);
        this.chunkLeft -= n;
        if (this.chunkLeft > 0) return;
        this.pngState = 'chunkHeader';
        if (this.iendSeen) this.done = true;
      }
    }
  }
  private ihdrPending = false;
  private iendSeen = false;

  // ---- JPEG: SOI, marker segments (each at most 64 KiB), entropy-coded scans, EOI. --------------------

  private jpeg(): void {
    for (;;) {
      if (this.done) {
        if (this.pending.length) this.trailing();
        return;
      }
      switch (this.jpegState) {
        case 'soi':
          if (this.pending.length < 2) return;
          if (this.pending[0] !== 0xff || this.pending[1] !== 0xd8) throw this.invalid('the JPEG does not start with its SOI marker');
          this.push(this.consume(2));
          this.jpegState = 'marker';
          break;
        case 'marker': {
          // fill bytes (0xFF) may precede a marker
          let i = 0;
          while (i < this.pending.length && this.pending[i] === 0xff && i + 1 < this.pending.length && this.pending[i + 1] === 0xff) i++;
          if (i > 0) this.consume(i);
          if (this.pending.length < 2) return;
          if (this.pending[0] !== 0xff) throw this.invalid('the JPEG has data where a marker belongs');
          const marker = this.pending[1];
          if (marker === 0xd9) {
            this.push(this.consume(2));
            this.done = true;
          } else if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
            this.push(this.consume(2));
          } else if (marker === 0xd8 || marker === 0x00) {
            throw this.invalid('the JPEG has a misplaced marker');
          } else {
            if (this.pending.length < 4) return;
            this.segmentMarker = marker;
            this.segmentLength = this.pending.readUInt16BE(2);
            if (this.segmentLength < 2) throw this.invalid('the JPEG has a malformed segment');
            this.jpegState = 'segment';
          }
          break;
        }
        case 'segment': {
          const total = 2 + this.segmentLength;
          if (this.pending.length < total) return;
          const segment = this.consume(total);
          const m = this.segmentMarker;
          if (this.keepSegment(m, segment)) this.push(segment);
          else this.counter.add('image-metadata');
          if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc && segment.length >= 9) {
            this.height = segment.readUInt16BE(5);
            this.width = segment.readUInt16BE(7);
          }
          this.jpegState = m === 0xda ? 'scan' : 'marker';
          break;
        }
        case 'scan': {
          // Entropy-coded data: copy until a 0xFF that starts a real marker (not 0xFF00 stuffing, not RSTn).
          let i = 0;
          let marker = -1;
          while (i < this.pending.length) {
            const at = this.pending.indexOf(0xff, i);
            if (at < 0 || at + 1 >= this.pending.length) {
              i = at < 0 ? this.pending.length : at;
              break;
            }
            const next = this.pending[at + 1];
            if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
              i = next === 0xff ? at + 1 : at + 2;
              continue;
            }
            i = at;
            marker = next;
            break;
          }
          if (i > 0) this.push(this.consume(i));
          if (marker < 0) return;
          this.jpegState = 'marker';
          break;
        }
      }
    }
  }

  private keepSegment(marker: number, segment: Buffer): boolean {
    if (marker === 0xfe) return false; // COM
    if (marker < 0xe0 || marker > 0xef) return true; // not APPn
    if (marker === 0xe0 || marker === 0xee) return true; // JFIF, Adobe (colour transform)
    if (marker === 0xe2) return segment.subarray(4, 16).toString('latin1') === 'ICC_PROFILE\0';
    return false; // APP1 Exif/XMP, APP13 IPTC/Photoshop, and the rest
  }
}
