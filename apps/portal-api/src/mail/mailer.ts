import { Inject, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';

/** SMTP_URL is unset: this deployment sends no email (a delivery records that, it does not pretend). */
export class MailNotConfigured extends Error {
  constructor() {
    super('email is not configured (SMTP_URL is unset)');
    this.name = 'MailNotConfigured';
  }
}

export interface MailMessage {
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe / List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
  /** An iCalendar part (text/calendar; method=REQUEST|CANCEL). */
  icalEvent?: { method: 'REQUEST' | 'CANCEL' | 'PUBLISH'; content: string; filename?: string };
  attachments?: { filename: string; content: Buffer | string; contentType?: string }[];
  /** A stable Message-ID, so a retried send is recognisable as the same message. */
  messageId?: string;
}

/**
 * Outbound email over SMTP with nodemailer (one pooled transport per process). Addresses and subjects are
 * the caller's; the From is the deployment's MAIL_FROM. Header values are nodemailer's to encode, so a
 * subject or name holding CR/LF cannot add a header.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly log = new Logger(Mailer.name);
  private transport: Transporter | null = null;

  constructor(@Inject(PORTAL_CONFIG) private readonly config: PortalConfig) {}

  get configured(): boolean {
    return this.config.mail.smtpUrl !== null;
  }

  private transporter(): Transporter {
    if (!this.config.mail.smtpUrl) throw new MailNotConfigured();
    this.transport ??= nodemailer.createTransport(this.config.mail.smtpUrl, { from: this.config.mail.from });
    return this.transport;
  }

  async send(msg: MailMessage): Promise<{ messageId: string; accepted: string[] }> {
    const info = await this.transporter().sendMail({
      from: this.config.mail.from,
      to: msg.to,
      cc: msg.cc,
      subject: msg.subject,
      text: msg.text,
      html: msg.html,
      headers: msg.headers,
      icalEvent: msg.icalEvent ? { method: msg.icalEvent.method, content: msg.icalEvent.content, filename: msg.icalEvent.filename ?? 'invite.ics' } : undefined,
      attachments: msg.attachments,
      messageId: msg.messageId,
    });
    const accepted = ((info.accepted ?? []) as unknown[]).map(String);
    this.log.debug(`mail ${info.messageId} accepted by ${accepted.length} recipient(s)`);
    return { messageId: info.messageId, accepted };
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}

@Module({ providers: [Mailer], exports: [Mailer] })
export class MailModule {}
