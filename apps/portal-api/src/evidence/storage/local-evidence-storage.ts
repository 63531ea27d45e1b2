import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EvidenceObjectMissing, EvidenceStorage } from './evidence-storage';

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Evidence on the local file system under one directory (config EVIDENCE_DIR; a persistent volume in
 * Kubernetes). Layout: `objects/<uuid>` for stored files, `incoming/<uuid>.part` while one is written.
 * A write goes to `incoming/` and is renamed into `objects/` only after its last byte is on disk, so a
 * failed or aborted upload never leaves a partial object; its `.part` file is deleted on the error path.
 * File and directory modes are owner-only.
 */
export class LocalEvidenceStorage extends EvidenceStorage {
  private readonly root: string;
  private ready: Promise<void> | null = null;

  constructor(dir: string) {
    super();
    this.root = resolve(dir);
  }

  private get objects() {
    return join(this.root, 'objects');
  }
  private get incoming() {
    return join(this.root, 'incoming');
  }

  private ensureDirs(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.objects, { recursive: true, mode: 0o700 });
      await mkdir(this.incoming, { recursive: true, mode: 0o700 });
    })().catch((err) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  /** Only keys this class generated name a file; anything else (a path, `..`) is treated as missing. */
  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new EvidenceObjectMissing();
    return join(this.objects, key);
  }

  async put(content: Readable): Promise<string> {
    await this.ensureDirs();
    const key = randomUUID();
    const part = join(this.incoming, `${key}.part`);
    // Wait for the file to exist before streaming into it: a write stream opens lazily and could create the
    // file after an early error's clean-up already ran, leaving a stray .part behind.
    const out = createWriteStream(part, { flags: 'wx', mode: 0o600 });
    try {
      await once(out, 'open');
      await pipeline(content, out);
      const fh = await open(part, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(part, this.pathOf(key));
      return key;
    } catch (err) {
      content.destroy();
      out.destroy();
      await unlink(part).catch(() => undefined);
      throw err;
    }
  }

  async get(key: string): Promise<{ stream: Readable; size: number }> {
    const path = this.pathOf(key);
    // Open first, so a missing file is a clear error before any byte or header is sent.
    const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new EvidenceObjectMissing() : err;
    });
    try {
      const { size } = await fh.stat();
      return { stream: fh.createReadStream({ autoClose: true }), size };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    let path: string;
    try {
      path = this.pathOf(key);
    } catch {
      return;
    }
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async removeIncomplete(before: Date): Promise<number> {
    await this.ensureDirs();
    let removed = 0;
    for (const name of await readdir(this.incoming)) {
      const p = join(this.incoming, name);
      const s = await stat(p).catch(() => null);
      if (s && s.isFile() && s.mtime < before) {
        await unlink(p).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }
}
