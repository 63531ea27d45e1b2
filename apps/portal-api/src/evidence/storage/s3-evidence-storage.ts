import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { EvidenceObjectMissing, EvidenceStorage } from './evidence-storage';

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** S3's smallest part (except the last) is 5 MiB; 8 MiB parts keep a 250 MiB HAR under 32 parts. */
export const S3_PART_BYTES = 8 * 1024 * 1024;

export interface S3EvidenceStorageOptions {
  bucket: string;
  region: string;
  endpoint?: string | null;
  accessKeyId?: string | null;
  secretAccessKey?: string | null;
  forcePathStyle?: boolean;
  /** Key prefix inside the bucket (default `evidence/`). */
  prefix?: string;
  partBytes?: number;
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Evidence in an S3-compatible object store (AWS S3, MinIO, Ceph, …): `EVIDENCE_STORAGE=s3`.
 * Layout under the prefix: `objects/<uuid>` for stored files, `incoming/<uuid>` a marker (holding the
 * multipart upload id) while a large file is written. An object only becomes visible when its single
 * PutObject (files up to one part) or its CompleteMultipartUpload succeeds, so a failed or aborted upload
 * never leaves a partial object; on the error path the multipart upload is aborted and the marker removed,
 * and `removeIncomplete` aborts what a crash left behind (give the bucket an AbortIncompleteMultipartUpload
 * lifecycle rule as well). Memory per upload: one part buffer.
 */
export class S3EvidenceStorage extends EvidenceStorage {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partBytes: number;

  constructor(opts: S3EvidenceStorageOptions) {
    super();
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? 'evidence/';
    this.partBytes = Math.max(opts.partBytes ?? S3_PART_BYTES, 5 * 1024 * 1024);
    this.client = new S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      forcePathStyle: opts.forcePathStyle ?? false,
      ...(opts.accessKeyId && opts.secretAccessKey ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
      // Checksums only where S3 requires them: S3-compatible stores differ in what they accept.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private objectKey(key: string): string {
    if (!KEY.test(key)) throw new EvidenceObjectMissing();
    return `${this.prefix}objects/${key}`;
  }
  private markerKey(key: string): string {
    return `${this.prefix}incoming/${key}`;
  }

  async put(content: Readable): Promise<string> {
    const key = randomUUID();
    const target = this.objectKey(key);
    const parts: { ETag: string; PartNumber: number }[] = [];
    let uploadId: string | null = null;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flushPart = async () => {
      if (!uploadId) {
        uploadId = await this.startMultipart(key, target);
      }
      const body = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      const n = parts.length + 1;
      const res = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: target, UploadId: uploadId, PartNumber: n, Body: body }));
      parts.push({ ETag: res.ETag!, PartNumber: n });
    };
    try {
      for await (const chunk of content) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes >= this.partBytes) await flushPart();
      }
      if (!uploadId) {
        // Up to one part: a single PutObject, visible only once complete.
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: target, Body: Buffer.concat(pending) }));
        return key;
      }
      if (pendingBytes > 0) await flushPart();
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: target, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.markerKey(key) }));
      return key;
    } catch (err) {
      content.destroy();
      if (uploadId) await this.abort(key, target, uploadId);
      throw err;
    }
  }

  /** The marker first: if the process dies after this, removeIncomplete finds the upload id to abort. */
  private async startMultipart(key: string, target: string): Promise<string> {
    const res = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: target }));
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.markerKey(key), Body: Buffer.alloc(0), Metadata: { 'upload-id': res.UploadId! } }),
    );
    return res.UploadId!;
  }

  private async abort(key: string, target: string, uploadId: string): Promise<void> {
    // Some S3-compatible stores lack AbortMultipartUpload; the parts then stay invisible until their lifecycle rule.
    await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: target, UploadId: uploadId })).catch(() => undefined);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.markerKey(key) })).catch(() => undefined);
  }

  async get(key: string): Promise<{ stream: Readable; size: number }> {
    const target = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: target }));
      return { stream: res.Body as Readable, size: Number(res.ContentLength ?? 0) };
    } catch (err) {
      if (notFound(err)) throw new EvidenceObjectMissing();
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    let target: string;
    try {
      target = this.objectKey(key);
    } catch {
      return;
    }
    // DeleteObject of a missing key succeeds in S3: idempotent as the contract asks.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: target })).catch((err: unknown) => {
      if (!notFound(err)) throw err;
    });
  }

  async removeIncomplete(before: Date): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}incoming/`, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (!o.Key || !o.LastModified || o.LastModified >= before) continue;
        const key = o.Key.slice(`${this.prefix}incoming/`.length);
        if (!KEY.test(key)) continue;
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: o.Key })).catch(() => null);
        const uploadId = head?.Metadata?.['upload-id'];
        if (uploadId) await this.abort(key, this.objectKey(key), uploadId);
        else await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: o.Key })).catch(() => undefined);
        removed++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  /** Health check: the bucket answers with these credentials. */
  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }
}
