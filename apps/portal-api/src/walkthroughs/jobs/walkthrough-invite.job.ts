import { Injectable, Logger } from '@nestjs/common';
import { systemActor, TenantContext } from '@portal/tenancy';
import { Mailer } from '../../mail/mailer';
import { JobHandler, JobName, JobPayload } from '../../queue/jobs';
import { TaskHandler } from '../../queue/task-handler';
import { WalkthroughsService } from '../walkthroughs.service';

/**
 * Mails one side of a walkthrough the invite of one version (iCalendar SEQUENCE): a text/calendar part with its
 * method and the same .ics attached. An SMTP failure fails the attempt and BullMQ retries it with backoff (the
 * notifications queue); a version superseded meanwhile is skipped, its successor has its own job. The Message-ID is
 * stable per (walkthrough, sequence, side), so a retry after a lost acknowledgement is recognisably the same mail.
 */
@Injectable()
@TaskHandler()
export class WalkthroughInviteJob implements JobHandler<JobName.WalkthroughInvite> {
  readonly job = JobName.WalkthroughInvite;
  private readonly logger = new Logger(WalkthroughInviteJob.name);
  constructor(
    private readonly walkthroughs: WalkthroughsService,
    private readonly mailer: Mailer,
  ) {}
  async handle(p: JobPayload<JobName.WalkthroughInvite>): Promise<void> {
    // A deployment without SMTP_URL sends no email: retrying would not change that (the booking stands).
    if (!this.mailer.configured) {
      this.logger.warn({ walkthroughId: p.walkthroughId, sequence: p.sequence }, 'walkthrough invite not sent: email is not configured (SMTP_URL)');
      return;
    }
    const actor = systemActor('walkthrough-invite', 'walkthrough invites', p.tenantId);
    await TenantContext.runAs(actor, [p.tenantId], async () => {
      const mail = await this.walkthroughs.inviteMail(p.walkthroughId, p.sequence, p.recipient);
      if (!mail) return;
      await this.mailer.send({
        to: [mail.to],
        subject: mail.subject,
        text: mail.text,
        icalEvent: { method: mail.method, content: mail.ics, filename: 'walkthrough.ics' },
        messageId: mail.messageId,
      });
      await this.walkthroughs.recordInviteSent(p.walkthroughId, mail, p.sequence);
    });
  }
}
