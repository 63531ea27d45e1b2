import { Module, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { PORTAL_ROUTE_MIDDLEWARE } from '../common/request-context.middleware';
import { EgressModule } from '../egress/guarded-http';
import { IncidentsModule } from '../incidents/incidents.module';
import { MailModule } from '../mail/mailer';
import { PirModule } from '../pir/pir.module';
import { TenantsModule } from '../tenants/tenants.module';
import { EmailChannel } from './channels/email.channel';
import { PagerDutyChannel } from './channels/pagerduty.channel';
import { SlackChannel } from './channels/slack.channel';
import { TeamsChannel } from './channels/teams.channel';
import { WebhookChannel } from './channels/webhook.channel';
import { EscalationCheckJob } from './jobs/escalation-check.job';
import { NotificationDeliverJob } from './jobs/notification-deliver.job';
import { StatusUpdateReminderJob } from './jobs/status-update-reminder.job';
import { IntakeReminderJob } from './jobs/intake-reminder.job';
import { NotificationsController } from './notifications.controller';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { NotificationsSubscriber } from './subscribers/notifications.subscriber';
import { VendorNotificationSettingsController } from './vendor-notification-settings.controller';
import { VendorNotificationSettingsRepository } from './vendor-notification-settings.repository';
import { VendorNotificationSettingsService } from './vendor-notification-settings.service';

/** Incident communications (issue 14, part A): channels, deliveries, the tenant's integrations. */
@Module({
  imports: [IncidentsModule, TenantsModule, EgressModule, MailModule, PirModule],
  providers: [
    NotificationsRepository,
    NotificationsService,
    SlackChannel,
    EmailChannel,
    PagerDutyChannel,
    WebhookChannel,
    TeamsChannel,
    VendorNotificationSettingsRepository,
    VendorNotificationSettingsService,
  ],
  exports: [NotificationsService, VendorNotificationSettingsService],
})
export class NotificationsModule {}

@Module({ imports: [NotificationsModule], controllers: [NotificationsController, VendorNotificationSettingsController] })
export class NotificationsHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(...PORTAL_ROUTE_MIDDLEWARE).forRoutes(NotificationsController, VendorNotificationSettingsController);
  }
}

/** The notifications subscriber (who is told), the delivery job (one attempt each), the escalation ladder and the reminders. */
@Module({
  imports: [NotificationsModule],
  providers: [NotificationsSubscriber, NotificationDeliverJob, EscalationCheckJob, StatusUpdateReminderJob, IntakeReminderJob],
})
export class NotificationsWorkerModule {}
