import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, deflateSync } from 'node:zlib';
import { EvidenceRejected } from '../evidence.errors';
import { ImageMetadataStripper, type ScreenshotFormat } from './image-metadata';

const chunk = (type: string, data: Buffer) => {
  const b = Buffer.alloc(12 + data.length);
  b.writeUInt32BE(data.length, 0);
  b.write(type, 4, 'latin1');
  data.copy(b, 8);
  b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
  return b;
};
const SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function png(extra: Buffer[] = []) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(3, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([SIG, chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(Buffer.alloc(2 * 10))), chunk('IEND', Buffer.alloc(0))]);
}
const seg = (marker: number, data: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff]), data]);
function jpeg(extra: Buffer[] = []) {
  const sof = Buffer.from([8, 0, 20, 0, 30, 1, 1, 0x11, 0]); // 8-bit, height 20, width 30, one component
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    ...extra,
    seg(0xdb, Buffer.alloc(65, 1)),
    seg(0xc0, sof),
    seg(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff, 0xd9]), // stuffing, RST0, fill, EOI
  ]);
}

async function strip(format: ScreenshotFormat, input: Buffer, chunkSize = 1 << 16) {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkSize) parts.push(input.subarray(i, i + chunkSize));
  const s = new ImageMetadataStripper(format);
  const out: Buffer[] = [];
  await pipeline(Readable.from(parts), s, new Writable({ write: (c, _e, cb) => (out.push(c), cb()) }));
  return { bytes: Buffer.concat(out), ...s.result() };
}

describe('screenshot metadata stripping', () => {
  const secret = 'CANARY-gps-and-owner';

  it.each([1, 3, 13, 1 << 16])('removes PNG text, EXIF and time chunks and trailing data (chunks of %i bytes)', async (size) => {
    const dirty = Buffer.concat([
      png([
        chunk('tEXt', Buffer.from(`Author\0${secret}`)),
        chunk('eXIf', Buffer.from(secret)),
        chunk('tIME', Buffer.alloc(7)),
        chunk('sRGB', Buffer.from([0])),
      ]),
      Buffer.from(secret),
    ]);
    const r = await strip('png', dirty, size);
    expect(r.bytes.includes(secret)).toBe(false);
    expect(r.bytes.equals(png([chunk('sRGB', Buffer.from([0]))]))).toBe(true);
    expect(r.insights).toEqual({ format: 'png', width: 3, height: 2, metadataRemoved: 4 });
  });

  it.each([1, 2, 5, 1 << 16])('removes JPEG EXIF, XMP, comments and trailing data, keeps the scan intact (chunks of %i bytes)', async (size) => {
    const dirty = Buffer.concat([
      jpeg([
        seg(0xe1, Buffer.from(`Exif\0\0${secret}`)),
        seg(0xe1, Buffer.from(`http://ns.adobe.com/xap/1.0/\0${secret}`)),
        seg(0xfe, Buffer.from(secret)),
        seg(0xed, Buffer.from(secret)),
      ]),
      Buffer.from(secret),
    ]);
    const r = await strip('jpeg', dirty, size);
    expect(r.bytes.includes(secret)).toBe(false);
    expect(r.bytes.equals(jpeg())).toBe(true);
    expect(r.insights).toEqual({ format: 'jpeg', width: 30, height: 20, metadataRemoved: 5 });
  });

  it('keeps an ICC colour profile but not other APP2 data', async () => {
    const icc = seg(0xe2, Buffer.from('ICC_PROFILE\0\x01\x01profile', 'latin1'));
    const fpxr = seg(0xe2, Buffer.from(`FPXR\0${secret}`, 'latin1'));
    const r = await strip('jpeg', jpeg([icc, fpxr]));
    expect(r.bytes.equals(jpeg([icc]))).toBe(true);
  });

  it.each([
    ['png', png().subarray(0, 40)],
    ['png', Buffer.concat([SIG, chunk('tEXt', Buffer.from('a\0b'))])],
    ['png', Buffer.concat([png().subarray(0, 33), chunk('ABCD', Buffer.alloc(1)), chunk('IEND', Buffer.alloc(0))])],
    ['jpeg', jpeg().subarray(0, 30)],
    ['jpeg', Buffer.from([0xff, 0xd8, 0x00, 0x01])],
  ] as const)('refuses a malformed or truncated %s', async (format, input) => {
    await expect(strip(format, input)).rejects.toBeInstanceOf(EvidenceRejected);
    await expect(strip(format, input)).rejects.toMatchObject({ rule: 'image_invalid' });
  });
});
