import { Injectable, Logger } from '@nestjs/common';
import { Mailer } from '../mail/mailer';
import { JobHandler, JobName, JobPayload } from '../queue/jobs';
import { TaskHandler } from '../queue/task-handler';
import { StatusDelivery } from './status-delivery';
import { StatusPageService } from './status-page.service';

/** Double opt-in: the only mail an address gets before it confirms. */
@Injectable()
@TaskHandler()
export class StatusConfirmMailJob implements JobHandler<JobName.StatusConfirmMail> {
  readonly job = JobName.StatusConfirmMail;
  constructor(
    private readonly status: StatusPageService,
    private readonly mailer: Mailer,
  ) {}
  async handle(p: JobPayload<JobName.StatusConfirmMail>): Promise<void> {
    const pending = await this.status.pendingConfirmation(p.subscriberId);
    if (!pending) return;
    const scope = [
      pending.services.length ? pending.services.join(', ') : 'all services',
      pending.regions.length ? pending.regions.join(', ') : 'all regions',
    ].join(' in ');
    await this.mailer.send({
      to: [pending.email],
      subject: '[Status] Confirm your subscription',
      text: [
        `Someone (hopefully you) asked to receive status updates for ${scope} at this address.`,
        '',
        `Confirm within 48 hours: ${pending.url}`,
        '',
        'If it was not you, ignore this message: nothing more will be sent.',
      ].join('\n'),
    });
  }
}

/** One public update → one claimed delivery per subscriber who wants it (each its own outbox job). */
@Injectable()
@TaskHandler()
export class StatusFanoutJob implements JobHandler<JobName.StatusFanout> {
  readonly job = JobName.StatusFanout;
  constructor(private readonly status: StatusPageService) {}
  async handle(p: JobPayload<JobName.StatusFanout>): Promise<void> {
    await this.status.fanOut(p.updateId);
  }
}

/** Sends one update to one subscriber; done once (the delivery row), retried with backoff by BullMQ until then. */
@Injectable()
@TaskHandler()
export class StatusDeliverJob implements JobHandler<JobName.StatusDeliver> {
  readonly job = JobName.StatusDeliver;
  private readonly logger = new Logger('StatusDelivery');
  constructor(
    private readonly status: StatusPageService,
    private readonly delivery: StatusDelivery,
  ) {}
  async handle(p: JobPayload<JobName.StatusDeliver>): Promise<void> {
    const work = await this.status.deliveryWork(p.updateId, p.subscriberId);
    if (!work) return;
    try {
      await this.delivery.send(work, {
        page: `${this.status.baseUrl}/status`,
        unsubscribe: this.status.unsubscribeUrl(p.subscriberId),
        unsubscribePage: this.status.unsubscribePageUrl(p.subscriberId),
      });
    } catch (err) {
      const message = (err as Error).message;
      await this.status.recordDelivery(p.updateId, p.subscriberId, { delivered: false, error: message });
      this.logger.warn(
        { updateId: p.updateId, subscriberId: p.subscriberId, channel: work.subscriber.channel, attempt: work.attempt, err: message },
        'status delivery failed; retried',
      );
      throw err;
    }
    await this.status.recordDelivery(p.updateId, p.subscriberId, { delivered: true });
  }
}
