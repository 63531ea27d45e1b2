import { Client } from 'pg';

export interface PgListenerOptions {
  url: string;
  channel: string;
  applicationName: string;
  /** How long to wait before listening again after the connection was lost or could not be made. */
  relistenMs: number;
  onNotification(payload: string): void;
  /** LISTEN took effect: notifications from now on arrive (anything committed before may have been missed). */
  onUp(): void;
  /** The connection is gone (not called after `stop()`); a new one is tried after `relistenMs`. */
  onDown(err: Error): void;
}

/**
 * A dedicated connection LISTENing on one channel — not a pooled one: LISTEN belongs to the session — made again
 * after every loss. Used by the outbox relay (woken on commit) and the session cache (dropping what changed).
 */
export class PgListener {
  private client: Client | null = null;
  private stopped = false;

  constructor(private readonly o: PgListenerOptions) {}

  get up(): boolean {
    return this.client !== null;
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.o.url, application_name: this.o.applicationName });
    let dropped = false;
    const drop = (err: Error) => {
      if (dropped) return;
      dropped = true;
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.o.onDown(err);
      setTimeout(() => void this.start(), this.o.relistenMs).unref();
    };
    client.on('notification', (n) => this.o.onNotification(n.payload ?? ''));
    client.on('error', drop);
    client.on('end', () => drop(new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${this.o.channel}`);
      if (this.stopped) return void client.end().catch(() => undefined);
      this.client = client;
      this.o.onUp();
    } catch (err) {
      drop(err as Error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
