import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../config/portal-config';
import { Mailer, MailNotConfigured } from './mailer';

const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', SECRET_KEY: Buffer.alloc(32, 1).toString('base64'), ...env });

describe('Mailer over a real SMTP server', () => {
  let server: SMTPServer;
  let port: number;
  const received: { rcpt: string[]; mail: ParsedMail }[] = [];
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, cb) {
        simpleParser(stream)
          .then((mail) => received.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), mail }))
          .then(() => cb(), cb);
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends text, HTML, extra headers and an iCalendar part; a CR/LF in the subject adds no header', async () => {
    const mailer = new Mailer(config({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Portal <incidents@portal.test>' }));
    const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n';
    const { accepted } = await mailer.send({
      to: ['admin@acme.test', 'ops@acme.test'],
      subject: 'INC-7 Sev1\r\nBcc: attacker@evil.test',
      text: 'plain body',
      html: '<p>html body</p>',
      headers: { 'List-Unsubscribe': '<https://portal.test/u/x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      icalEvent: { method: 'REQUEST', content: ics },
    });
    mailer.onModuleDestroy();
    expect(accepted.sort()).toEqual(['admin@acme.test', 'ops@acme.test']);
    const { rcpt, mail } = received[0];
    expect(rcpt.sort()).toEqual(['admin@acme.test', 'ops@acme.test']);
    expect(mail.from?.value[0]).toMatchObject({ name: 'Portal', address: 'incidents@portal.test' });
    expect(mail.text?.trim()).toBe('plain body');
    expect(mail.html).toContain('<p>html body</p>');
    expect(mail.headerLines.map((h) => h.line)).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail.subject).toBe('INC-7 Sev1 Bcc: attacker@evil.test');
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.attachments.some((a) => a.contentType.startsWith('text/calendar'))).toBe(true);
  });

  it('says clearly that email is off when SMTP_URL is unset', async () => {
    const mailer = new Mailer(config({}));
    expect(mailer.configured).toBe(false);
    await expect(mailer.send({ to: ['a@b.test'], subject: 's', text: 't' })).rejects.toBeInstanceOf(MailNotConfigured);
  });
});
