import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sql } from '../../apps/portal-api/src/database/sql';
import { Db } from '../../apps/portal-api/src/database/db.service';
import { WorkloadQueues } from '../../apps/portal-api/src/queue/workload-queues';
import { relayAll } from './queues';
import type { TestApp } from './test-app';

/** Real loopback receivers for the notification channels: Slack's Web API, SMTP, any HTTP endpoint. */

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface HttpReceiver {
  url: string;
  port: number;
  requests: Received[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** An HTTP server on 127.0.0.1 that records every request and answers with `respond` (or never, when it returns null). */
export async function startHttpReceiver(respond: (r: Received, n: number) => { status: number; body?: string } | null): Promise<HttpReceiver> {
  const requests: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, at: Date.now() };
      requests.push(r);
      const answer = respond(r, requests.length);
      if (!answer) {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface SlackCall {
  method: 'chat.postMessage' | 'chat.update';
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: string | null;
}

/** Slack's Web API, the two methods the portal calls: checks the bot token, records each call, answers like Slack. */
export async function startSlackFake(token: string) {
  const calls: SlackCall[] = [];
  let seq = 1000;
  const receiver = await startHttpReceiver((r) => {
    if (r.headers.authorization !== `Bearer ${token}`) return { status: 200, body: JSON.stringify({ ok: false, error: 'invalid_auth' }) };
    const form = r.headers['content-type']?.includes('json') ? (JSON.parse(r.body) as Record<string, string>) : Object.fromEntries(new URLSearchParams(r.body));
    const method = r.path.replace(/^\/api\//, '') as SlackCall['method'];
    if (method !== 'chat.postMessage' && method !== 'chat.update') return { status: 200, body: JSON.stringify({ ok: false, error: 'unknown_method' }) };
    const ts = method === 'chat.update' ? form.ts : `1700000000.${String(seq++).padStart(6, '0')}`;
    calls.push({ method, channel: form.channel, ts, threadTs: form.thread_ts ?? null, text: form.text, blocks: form.blocks ?? null });
    return { status: 200, body: JSON.stringify({ ok: true, channel: form.channel, ts }) };
  });
  return { ...receiver, apiUrl: `${receiver.url}/api/`, calls };
}

/** A real SMTP server; every message parsed with mailparser. `port`: listen there again (a test that takes SMTP down and back up). */
export async function startSmtpCatcher(port = 0) {
  const messages: { rcpt: string[]; mail: ParsedMail }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => messages.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), mail }))
        .then(() => cb(), cb);
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const bound = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${bound}`, port: bound, messages, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * Runs the notifications pipeline to rest: relays the outbox, waits (on BullMQ's completion events) for every
 * runnable job of the notifications queue, and repeats while a job wrote more. Delayed jobs (retries, backoffs)
 * stay delayed until `promoteDelayed` — the test moves the ManualClock first.
 */
export async function drainNotifications(t: TestApp): Promise<void> {
  const queues = t.app.get(WorkloadQueues);
  for (let round = 0; round < 50; round++) {
    await relayAll(t);
    const runnable = async () => {
      const [n, c] = await Promise.all([
        queues.get('notifications').getJobCounts('waiting', 'active', 'prioritized'),
        queues.get('clocks').getJobCounts('waiting', 'active', 'prioritized'),
      ]);
      return n.waiting + n.active + n.prioritized + c.waiting + c.active + c.prioritized;
    };
    if (!(await runnable()) && !(await pendingOutbox(t))) return;
    // The app's real workers are running them: wait until they are done (polling the queue's counts, not the clock).
    const deadline = Date.now() + 30_000;
    while ((await runnable()) > 0) {
      if (Date.now() > deadline) throw new Error('notification jobs did not finish within 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error('the notifications pipeline did not come to rest in 50 rounds');
}

async function pendingOutbox(t: TestApp): Promise<number> {
  const [r] = await t.app.get(Db).scoped('system', (em) => sql<{ n: string }>(em, `select count(*) as n from outbox where relayed_at is null`));
  return Number(r.n);
}

/** Promotes the delayed delivery jobs (retries, endpoint backoffs) of the notifications queue; the test moved the clock past them. */
export async function promoteDelayed(t: TestApp): Promise<number> {
  const jobs = await t.app.get(WorkloadQueues).get('notifications').getJobs(['delayed']);
  // A job may have left the delayed state meanwhile (another test's retry ran): nothing to promote then.
  for (const j of jobs) await j.promote().catch(() => undefined);
  return jobs.length;
}

// ---- Microsoft Teams (issue 14 part C): an Entra token endpoint and Microsoft Graph's channel-message calls ----

export interface GraphCall {
  kind: 'message' | 'reply';
  teamId: string;
  channelId: string;
  /** The created message's id. */
  id: string;
  /** For a reply: the parent message's id. */
  parentId: string | null;
  content: string;
  contentType: string;
}

/**
 * One loopback server for both sides: `POST /{directory}/oauth2/v2.0/token` (client credentials: checks the client
 * id and secret and the Graph scope, issues a bearer token) and Graph's `POST /v1.0/teams/{team}/channels/{channel}/
 * messages[/{id}/replies]` (checks the bearer token, records the call, answers 201 with the message like Graph).
 */
export async function startTeamsFake(app: { directoryId: string; clientId: string; clientSecret: string }) {
  const calls: GraphCall[] = [];
  const tokens: string[] = [];
  const refusedGraphCalls: string[] = [];
  let seq = 1_700_000_000_000;
  const receiver = await startHttpReceiver((r) => {
    const token = r.path.match(/^\/([^/]+)\/oauth2\/v2\.0\/token(\?.*)?$/);
    if (token && r.method === 'POST') {
      const form = Object.fromEntries(new URLSearchParams(r.body));
      if (token[1] !== app.directoryId || form.client_id !== app.clientId || form.client_secret !== app.clientSecret) {
        return {
          status: 401,
          body: JSON.stringify({ error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] }),
        };
      }
      if (form.grant_type !== 'client_credentials' || form.scope !== 'https://graph.microsoft.com/.default') {
        return { status: 400, body: JSON.stringify({ error: 'invalid_request', error_description: `unexpected grant ${form.grant_type} / ${form.scope}` }) };
      }
      const access = `graph-token-${tokens.length + 1}-${Math.random().toString(36).slice(2)}`;
      tokens.push(access);
      return { status: 200, body: JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access }) };
    }
    const graph = r.path.match(/^\/v1\.0\/teams\/([^/]+)\/channels\/([^/]+)\/messages(?:\/([^/]+)\/replies)?$/);
    if (!graph || r.method !== 'POST') return { status: 404, body: JSON.stringify({ error: { code: 'NotFound', message: r.path } }) };
    const bearer = (r.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!tokens.includes(bearer)) {
      refusedGraphCalls.push(r.path);
      return { status: 401, body: JSON.stringify({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } }) };
    }
    const body = JSON.parse(r.body) as { body?: { content?: string; contentType?: string } };
    const id = String(seq++);
    calls.push({
      kind: graph[3] ? 'reply' : 'message',
      teamId: decodeURIComponent(graph[1]),
      channelId: decodeURIComponent(graph[2]),
      id,
      parentId: graph[3] ? decodeURIComponent(graph[3]) : null,
      content: body.body?.content ?? '',
      contentType: body.body?.contentType ?? '',
    });
    return { status: 201, body: JSON.stringify({ id, replyToId: graph[3] ?? null, messageType: 'message', body: body.body }) };
  });
  return { ...receiver, authorityHost: receiver.url, graphBaseUrl: `${receiver.url}/v1.0`, calls, tokens, refusedGraphCalls };
}
