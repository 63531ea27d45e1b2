import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Demo only (`npm run demo`): loopback stand-ins for Slack's Web API, Microsoft Graph (Teams channel messages, with
 * its client-credentials token endpoint), an SMTP server and PagerDuty's Events API, and
 * an inbox page that shows what the portal sent, so a new user sees a Sev1 notification happen without any account.
 * The SMTP catcher uses smtp-server and mailparser (development dependencies, installed by `npm ci`); without them
 * the demo sends no email and says so.
 */
export interface DemoReceivers {
  /** Configuration pointing the portal at the receivers (applied only where the variable is unset). */
  env: Record<string, string>;
  inboxUrl: string;
  stop(): Promise<void>;
}

interface SlackMessage {
  ts: string;
  channel: string;
  threadTs: string | null;
  text: string;
  edits: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Slack text arrives mrkdwn-escaped (&amp; &lt; &gt;): shown as Slack would show it. */
const slackText = (s: string) => esc(s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export const DEMO_SLACK_TOKEN = 'xoxb-demo-loopback-token';
/** The demo's Teams app registration (client credentials), team and channel: only the loopback Graph knows them. */
export const DEMO_TEAMS = {
  directoryId: '5e1f0c3a-0000-4000-8000-00000000de70',
  clientId: '7c9a4b2e-0000-4000-8000-00000000de70',
  clientSecret: 'demo-loopback-client-secret',
  teamId: '0a8b6c4d-0000-4000-8000-00000000de70',
  channelId: '19:incidents-demo@thread.tacv2',
} as const;

interface TeamsMessage {
  id: string;
  parentId: string | null;
  content: string;
}

/** A mail the demo's SMTP catcher received; `calendar`: the method of its iCalendar invite (walkthroughs), if any. */
interface DemoMail {
  at: string;
  to: string[];
  subject: string;
  text: string;
  calendar: string | null;
}

export async function startDemoReceivers(say: (m: string) => void): Promise<DemoReceivers> {
  const slack: SlackMessage[] = [];
  const pagerDuty: { at: string; action: string; dedupKey: string; summary: string }[] = [];
  const mail: DemoMail[] = [];
  const teams: TeamsMessage[] = [];
  const graphTokens = new Set<string>();
  let seq = 0;

  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'POST' && path.startsWith('/slack/api/')) {
        const form = (req.headers['content-type'] ?? '').includes('json')
          ? (JSON.parse(body) as Record<string, string>)
          : Object.fromEntries(new URLSearchParams(body));
        if (req.headers.authorization !== `Bearer ${DEMO_SLACK_TOKEN}`) return res.writeHead(200).end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
        const method = path.slice('/slack/api/'.length);
        if (method === 'chat.update') {
          const m = slack.find((x) => x.ts === form.ts);
          if (m) Object.assign(m, { text: form.text, edits: m.edits + 1 });
          return res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ ok: !!m, ts: form.ts, ...(m ? {} : { error: 'message_not_found' }) }));
        }
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
        slack.push({ ts, channel: form.channel, threadTs: form.thread_ts ?? null, text: form.text ?? '', edits: 0 });
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, channel: form.channel, ts }));
      }
      if (req.method === 'POST' && path === `/${DEMO_TEAMS.directoryId}/oauth2/v2.0/token`) {
        const form = Object.fromEntries(new URLSearchParams(body));
        if (form.client_id !== DEMO_TEAMS.clientId || form.client_secret !== DEMO_TEAMS.clientSecret) {
          return res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client' }));
        }
        const access = `demo-graph-token-${++seq}`;
        graphTokens.add(access);
        return res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: access }));
      }
      const graph = /^\/graph\/v1\.0\/teams\/[^/]+\/channels\/[^/]+\/messages(?:\/([^/]+)\/replies)?$/.exec(path);
      if (req.method === 'POST' && graph) {
        if (!graphTokens.has((req.headers.authorization ?? '').replace(/^Bearer /, ''))) {
          return res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'InvalidAuthenticationToken' } }));
        }
        const message = JSON.parse(body || '{}') as { body?: { content?: string } };
        const id = String(Date.now() * 1000 + ++seq);
        const parentId = graph[1] ? decodeURIComponent(graph[1]) : null;
        teams.push({ id, parentId, content: message.body?.content ?? '' });
        return res
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id, replyToId: parentId, messageType: 'message', body: message.body }));
      }
      if (req.method === 'POST' && path === '/pagerduty/v2/enqueue') {
        const e = JSON.parse(body || '{}') as { event_action?: string; dedup_key?: string; payload?: { summary?: string } };
        pagerDuty.push({ at: new Date().toISOString(), action: e.event_action ?? '?', dedupKey: e.dedup_key ?? '', summary: e.payload?.summary ?? '' });
        return res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', dedup_key: e.dedup_key }));
      }
      if (req.method === 'GET' && path === '/')
        return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(inbox(slack, teams, mail, pagerDuty));
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env: Record<string, string> = {
    SLACK_API_URL: `${url}/slack/api/`,
    TEAMS_AUTHORITY_HOST: url,
    GRAPH_BASE_URL: `${url}/graph/v1.0`,
    PAGERDUTY_EVENTS_URL: `${url}/pagerduty/v2/enqueue`,
    PAGERDUTY_ROUTING_KEY: 'demo-routing-key',
    HOTLINE_NUMBER: '+39 02 0000 0000',
  };

  let smtpClose: (() => Promise<void>) | null = null;
  try {
    const { SMTPServer } = await import('smtp-server');
    const { simpleParser } = await import('mailparser');
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        simpleParser(stream)
          .then((m) => {
            const ics = m.attachments.find((a) => a.contentType === 'text/calendar');
            const calendar = ics ? (/^METHOD:(\w+)/m.exec(ics.content.toString('utf8'))?.[1] ?? 'PUBLISH') : null;
            mail.push({
              at: new Date().toISOString(),
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: m.subject ?? '',
              text: m.text ?? '',
              calendar,
            });
          })
          .then(() => cb(), cb);
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    smtpClose = () => new Promise<void>((r) => smtp.close(() => r()));
  } catch {
    say('demo inbox: smtp-server/mailparser are not installed (development dependencies); the demo sends no email');
  }
  return {
    env,
    inboxUrl: url,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await smtpClose?.();
    },
  };
}

function inbox(
  slack: SlackMessage[],
  teams: TeamsMessage[],
  mail: DemoMail[],
  pd: { at: string; action: string; dedupKey: string; summary: string }[],
): string {
  const threads = slack
    .filter((m) => !m.threadTs)
    .map((p) => {
      const replies = slack.filter((r) => r.threadTs === p.ts);
      return `<li><strong>#${esc(p.channel)}</strong> ${slackText(p.text)}${p.edits ? ` <em>(edited ${p.edits}×)</em>` : ''}<ul>${replies.map((r) => `<li>${slackText(r.text)}</li>`).join('')}</ul></li>`;
    })
    .join('');
  // Graph messages carry HTML: shown as text here (the inbox is a plain page; nothing from a message is rendered).
  const teamsText = (html: string) =>
    esc(
      html
        .replace(/<br\s*\/?>/gi, ' · ')
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  const teamThreads = teams
    .filter((m) => !m.parentId)
    .map((p) => {
      const replies = teams.filter((r) => r.parentId === p.id);
      return `<li>${teamsText(p.content)}<ul>${replies.map((r) => `<li>${teamsText(r.content)}</li>`).join('')}</ul></li>`;
    })
    .join('');
  const mails = [...mail]
    .reverse()
    .map(
      (m) =>
        `<li><strong>${esc(m.subject)}</strong><br>to ${esc(m.to.join(', '))} · ${esc(m.at)}${m.calendar ? ` · calendar invite (METHOD:${esc(m.calendar)}, walkthrough.ics attached)` : ''}<pre>${esc(m.text)}</pre></li>`,
    )
    .join('');
  const pages = [...pd]
    .reverse()
    .map((e) => `<li><strong>${esc(e.action)}</strong> ${esc(e.summary)} <code>${esc(e.dedupKey)}</code> · ${esc(e.at)}</li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><meta name="viewport" content="width=device-width">
<title>Demo inbox</title><style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}pre{white-space:pre-wrap;background:#f4f5f7;padding:.5rem}</style></head>
<body><h1>Demo inbox</h1><p>What the portal sent to the loopback Slack, Microsoft Teams, SMTP server and PagerDuty of <code>npm run demo</code> (refreshes every 5 s).</p>
<h2>Slack (threads)</h2><ul>${threads || '<li>Nothing yet: declare a Sev1 or Sev2 for globex.</li>'}</ul>
<h2>Microsoft Teams (threads)</h2><ul>${teamThreads || '<li>Nothing yet: declare a Sev1 or Sev2 for globex.</li>'}</ul>
<h2>Email</h2><ul>${mails || '<li>Nothing yet.</li>'}</ul>
<h2>PagerDuty</h2><ul>${pages || '<li>Nothing yet.</li>'}</ul></body></html>`;
}
