import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { EvidenceObjectMissing } from '../apps/portal-api/src/evidence/storage/evidence-storage';
import { S3EvidenceStorage } from '../apps/portal-api/src/evidence/storage/s3-evidence-storage';
import { evidenceStorageFor } from '../apps/portal-api/src/evidence/evidence.module';
import { testConfig } from './support/test-app';

const BUCKET = 'evidence-test';
const MiB = 1024 * 1024;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** A stream that yields `good` bytes in 1 MiB chunks and then fails, like a client that drops mid-upload. */
function failingAfter(good: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= good) {
        this.destroy(new Error('client went away'));
        return;
      }
      const n = Math.min(MiB, good - sent);
      sent += n;
      this.push(randomBytes(n));
    },
  });
}

describe('S3 evidence storage against a real S3 server (s3rver on loopback)', () => {
  let server: S3rver;
  let endpoint: string;
  let storage: S3EvidenceStorage;

  beforeAll(async () => {
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: mkdtempSync(join(tmpdir(), 'portal-s3rver-')),
      configureBuckets: [{ name: BUCKET, configs: [] }],
    });
    const addr = await server.run();
    endpoint = `http://127.0.0.1:${addr.port}`;
    storage = evidenceStorageFor(
      testConfig({
        EVIDENCE_STORAGE: 's3',
        S3_ENDPOINT: endpoint,
        S3_BUCKET: BUCKET,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_FORCE_PATH_STYLE: 'true',
      }),
    ) as S3EvidenceStorage;
    expect(storage).toBeInstanceOf(S3EvidenceStorage);
  });

  afterAll(async () => {
    storage?.client.destroy();
    await server?.close();
  });

  const keysUnder = async (prefix: string) => {
    const res = await storage.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (res.Contents ?? []).map((o) => o.Key!);
  };

  it('refuses EVIDENCE_STORAGE=s3 without a bucket, naming the variable', () => {
    expect(() => testConfig({ EVIDENCE_STORAGE: 's3' })).toThrow(/S3_BUCKET/);
  });

  it('stores a small file in one request and reads it back byte for byte', async () => {
    const body = Buffer.from('{"log":{"entries":[]}}');
    const key = await storage.put(Readable.from([body]));
    const got = await storage.get(key);
    expect(got.size).toBe(body.length);
    expect((await readAll(got.stream)).equals(body)).toBe(true);
    expect(await keysUnder(`evidence/objects/${key}`)).toEqual([`evidence/objects/${key}`]);
  });

  it('stores a file larger than one part through a multipart upload and leaves no marker behind', async () => {
    const body = randomBytes(11 * MiB);
    const key = await storage.put(Readable.from([body.subarray(0, 3 * MiB), body.subarray(3 * MiB)]));
    const got = await storage.get(key);
    expect(got.size).toBe(body.length);
    expect((await readAll(got.stream)).equals(body)).toBe(true);
    expect(await keysUnder('evidence/incoming/')).toEqual([]);
  });

  it('is all-or-nothing: a stream failing after a part was sent leaves no object and no marker', async () => {
    const before = await keysUnder('evidence/objects/');
    await expect(storage.put(failingAfter(10 * MiB))).rejects.toThrow(/client went away/);
    await expect(storage.put(failingAfter(2 * MiB))).rejects.toThrow(/client went away/);
    expect(await keysUnder('evidence/objects/')).toEqual(before);
    expect(await keysUnder('evidence/incoming/')).toEqual([]);
  });

  it('get of a missing or foreign-looking key is EvidenceObjectMissing; delete is idempotent', async () => {
    const key = await storage.put(Readable.from([Buffer.from('bytes')]));
    await storage.delete(key);
    await storage.delete(key);
    await storage.delete('../../etc/passwd');
    await expect(storage.get(key)).rejects.toBeInstanceOf(EvidenceObjectMissing);
    await expect(storage.get('../objects/x')).rejects.toBeInstanceOf(EvidenceObjectMissing);
  });

  it('removeIncomplete aborts uploads a crash left behind, and only those older than the cut-off', async () => {
    // A crash between the first part and the completion: the marker and the multipart upload exist, no object.
    const crashed = new S3EvidenceStorage({
      bucket: BUCKET,
      region: 'us-east-1',
      endpoint,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    });
    const started = (crashed as unknown as { startMultipart(k: string, t: string): Promise<string> }).startMultipart.bind(crashed);
    const key = '6f1c1f6e-2b7a-4c55-9a53-0d3c3b1a2b3c';
    await started(key, `evidence/objects/${key}`);
    expect(await keysUnder('evidence/incoming/')).toEqual([`evidence/incoming/${key}`]);
    expect(await storage.removeIncomplete(new Date(Date.now() - 3_600_000))).toBe(0);
    expect(await storage.removeIncomplete(new Date(Date.now() + 60_000))).toBe(1);
    expect(await keysUnder('evidence/incoming/')).toEqual([]);
    await expect(storage.get(key)).rejects.toBeInstanceOf(EvidenceObjectMissing);
    crashed.client.destroy();
  });

  it('the health check answers while the bucket is reachable', async () => {
    await expect(storage.check()).resolves.toBeUndefined();
  });
});
