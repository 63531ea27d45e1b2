import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type {
  ConnectHubInput,
  ConnectSlackInput,
  ConnectTeamsInput,
  CreatedWebhookEndpoint,
  CreateWebhookEndpointInput,
  DomainEventEnvelope,
  HubConnectionView,
  Incident,
  IncidentNotificationsView,
  NotificationDeliveryView,
  SlackConnectionView,
  TeamsConnectionView,
  UpdateWebhookEndpointInput,
  WebhookEndpointView,
} from '@portal/contracts';
import { DomainEventPayloads, EscalationStep, WEBHOOK_EVENT_TYPES } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { Clock } from '../common/clock';
import { Forbidden, InvalidTransition, NotFound, ValidationFailed } from '../common/domain-errors';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { GuardedHttp, EgressRefused } from '../egress/guarded-http';
import { DomainEvents } from '../events/domain-events.service';
import { IncidentsService } from '../incidents/incidents.service';
import { Mailer } from '../mail/mailer';
import { OutboxService } from '../outbox/outbox.service';
import { PirService } from '../pir/pir.service';
import { JobName, JobPayload } from '../queue/jobs';
import { openSecret, sealSecret } from '../sso/secret-box';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import { AttemptResult, failure } from './channels/channel-result';
import { EmailChannel } from './channels/email.channel';
import { PagerDutyChannel } from './channels/pagerduty.channel';
import { SlackCallFailed, SlackChannel } from './channels/slack.channel';
import { TeamsCallFailed, TeamsChannel, TeamsTarget } from './channels/teams.channel';
import { WebhookChannel } from './channels/webhook.channel';
import { incidentMessage } from './incident-message';
import { hotlineFor, NotifiedEvent, planDeliveries, retryDelayMs, webhookEventType } from './notification-plan';
import { Coalescer } from '../common/coalescer';
import {
  ConnectionRecord,
  DeliveryRecord,
  EndpointRecord,
  endpointView,
  NewDelivery,
  NotificationsRepository,
  WebhookSuccess,
} from './notifications.repository';
import { VendorNotificationSettingsService } from './vendor-notification-settings.service';

type ChatKind = 'slack' | 'teams';

type ConnectionSettings = ConnectionRecord['settings'];
/** Attempts per shared read or write, and such rounds at once (a lone round would make every attempt wait for it). */
const ATTEMPT_ROUND_MAX = 100;
const ATTEMPT_ROUNDS_PARALLEL = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type AttemptKey = { deliveryId: string; tenantIds: string[] };
type AttemptRow = { delivery: DeliveryRecord; endpoint: EndpointRecord | null; awaitingTrigger: boolean };

const slackAad = (tenantId: string, id: string) => `notification_connections:${tenantId}:${id}`;
const webhookAad = (tenantId: string, id: string) => `webhook_endpoints:${tenantId}:${id}`;
const SYSTEM = { kind: 'system', id: 'notifications', label: 'Notifications' };
const ESCALATION = { kind: 'system', id: 'escalation', label: 'Escalation ladder' };
const REMINDER = { kind: 'system', id: 'status-reminder', label: 'Status-update reminder' };
const INTAKE_REMINDER = { kind: 'system', id: 'intake-reminder', label: 'Intake reminder' };
/** Vendor-internal deliveries (escalations, reminders to engineers): not listed to the tenant's own users. */
const INTERNAL_EVENTS = new Set(['incident.escalated', 'incident.status_update_reminder']);

export class SlackNotConnected extends NotFound {
  constructor() {
    super('Slack is not connected for this tenant');
  }
}

export class HubNotConnected extends NotFound {
  constructor() {
    super('no Hub is connected for this tenant');
  }
}

export class TeamsNotConnected extends NotFound {
  constructor() {
    super('Microsoft Teams is not connected for this tenant');
  }
}

/** How long a PagerDuty acknowledge or resolve waits before looking again for its incident's trigger. */
const PAGE_ORDER_WAIT_MS = 5_000;

/**
 * Who is told about a tenant's incident, and the delivery of each message. The subscriber records one delivery
 * per (event, channel or endpoint) under a unique idempotency key and enqueues its job through the outbox in the
 * same transaction; each job makes one attempt with a short deadline and, when it fails, schedules the next
 * attempt as a new delayed job (exponential backoff with jitter). A webhook endpoint that fails backs off as a
 * whole: deliveries to it wait for its backoff instead of each taking a worker to the same dead receiver, so one
 * tenant's dead endpoint cannot fill the notifications queue's workers and delay another tenant's Sev1.
 */

@Injectable()
export class NotificationsService {
  private readonly log = new Logger('Notifications');
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly db: Db,
    private readonly repo: NotificationsRepository,
    private readonly incidents: IncidentsService,
    private readonly tenants: TenantDirectory,
    private readonly events: DomainEvents,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly slack: SlackChannel,
    private readonly email: EmailChannel,
    private readonly pagerDuty: PagerDutyChannel,
    private readonly webhook: WebhookChannel,
    private readonly http: GuardedHttp,
    private readonly mailer: Mailer,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
    private readonly teams: TeamsChannel,
    private readonly vendorSettings: VendorNotificationSettingsService,
    private readonly pirs: PirService,
  ) {
    this.keys = new Map([[config.secretKeyId, config.secretKey]]);
  }

  /**
   * The queue runs many attempts at once; their first read and their success record are each one transaction for
   * all of them (set to the tenants of those attempts, each attempt getting only its own delivery's row), instead
   * of one transaction per attempt: the database round trips, not the POSTs, were what limited delivery.
   */
  private readonly attemptReads = new Coalescer<AttemptKey, AttemptRow | null>(
    async (all) => {
      // One malformed job must not fail the round for the others: it finds nothing, as it would alone.
      const keys = all.filter((k) => UUID.test(k.deliveryId) && k.tenantIds.every((t) => UUID.test(t)));
      if (keys.length === 0) return all.map(() => null);
      const tenants = [...new Set(keys.flatMap((k) => k.tenantIds))];
      const rows = await this.db.forTenants(tenants, (em) =>
        this.repo.deliveriesWithEndpoints(
          em,
          keys.map((k) => k.deliveryId),
        ),
      );
      const byId = new Map(rows.map((r) => [r.delivery.id, r]));
      return all.map((k) => {
        const r = byId.get(k.deliveryId);
        return r && k.tenantIds.includes(r.delivery.tenantId) ? r : null;
      });
    },
    ATTEMPT_ROUND_MAX,
    ATTEMPT_ROUNDS_PARALLEL,
  );

  private readonly successWrites = new Coalescer<WebhookSuccess, void>(
    async (attempts) => {
      await this.db.forTenants([...new Set(attempts.map((a) => a.tenantId))], (em) => this.repo.recordWebhookSuccesses(em, attempts));
      return attempts.map(() => undefined);
    },
    ATTEMPT_ROUND_MAX,
    ATTEMPT_ROUNDS_PARALLEL,
  );

  private get publicUrl(): string {
    return this.config.publicUrl ?? `http://${this.config.host}:${this.config.port}`;
  }

  private tenantOf(): string {
    const t = TenantContext.actor().homeTenantId;
    if (!t) throw new Forbidden('this setting belongs to a tenant; sign in as its customer admin');
    return t;
  }

  // ---- planning (the subscriber) ----

  /** Decides who is told about one event and records the deliveries; a redelivered event records nothing new. */
  async plan(event: DomainEventEnvelope): Promise<number> {
    if (!event.incidentId) return 0;
    const inc = await this.incidents.summary(event.incidentId).catch(() => null);
    if (!inc) return 0;
    const now = this.clock.now();
    const settings = await this.vendorSettings.effective();
    return this.db.tx(async (em) => {
      const tenant = await this.tenants.findById(em, event.tenantId);
      if (!tenant) return 0;
      const { slack, teams } = await this.repo.connections(em, event.tenantId);
      const history = await this.repo.incidentHistory(em, event.tenantId, inc.id);
      const endpoints = (await this.repo.endpoints(em, event.tenantId)).filter((e) => e.enabled);
      const hub = event.type === 'pir.published' ? await this.repo.connection(em, event.tenantId, 'hub') : null;
      // The Hub receives the review's output record, as the PIR module stored it at publication.
      const hubRecord = hub && event.subjectId ? await this.pirs.hubRecordOf(em, event.subjectId) : null;
      const type = event.type as NotifiedEvent;
      const planned = planDeliveries({
        eventType: type,
        severity: inc.severity,
        mode: inc.serviceMode,
        previousSeverity: type === 'incident.severity_changed' ? (event.payload as { from: Incident['severity'] }).from : undefined,
        slackConnected: !!slack,
        slackThreadExists: history.slackThread,
        teamsConnected: !!teams,
        teamsThreadExists: history.teamsThread,
        emailedBefore: history.emailed,
        pagerDutyConfigured: !!settings.pagerDuty.routingKey,
        pagerDutySeverities: settings.pagerDuty.severities,
        pagedBefore: history.paged,
        webhookEndpoints: endpoints,
        hubConnected: !!hubRecord,
      });
      // One INSERT for the deliveries and one for their jobs, however many endpoints the event fans out to.
      const rows: NewDelivery[] = planned.map((d) => {
        const ep = d.endpointId ? endpoints.find((e) => e.id === d.endpointId) : undefined;
        const target =
          d.channel === 'slack'
            ? slack!.settings.channelId
            : d.channel === 'teams'
              ? teams!.settings.channelId
              : d.channel === 'email'
                ? tenant.contacts.map((c) => c.email).join(', ')
                : d.channel === 'pagerduty'
                  ? 'vendor on-call'
                  : d.channel === 'hub'
                    ? (hub!.settings.url ?? '')
                    : (ep?.url ?? '');
        const payload =
          d.channel === 'webhook'
            ? this.webhookBody(webhookEventType(type), event, inc)
            : d.channel === 'hub'
              ? { type: 'hub.output_record', timestamp: event.occurredAt, data: hubRecord }
              : { envelope: event, ...(d.pagerDutyAction ? { pagerDutyAction: d.pagerDutyAction } : {}) };
        return {
          tenantId: event.tenantId,
          incidentId: inc.id,
          endpointId: d.endpointId ?? null,
          eventId: event.eventId,
          eventType: event.type,
          channel: d.channel,
          target,
          idempotencyKey: `${event.eventId}:${d.channel}:${d.endpointId ?? ''}`,
          status: 'pending',
          payload,
          at: now,
        };
      });
      const ids = await this.repo.insertDeliveries(em, rows);
      const created = rows.flatMap((r) => (ids.has(r.idempotencyKey) ? [ids.get(r.idempotencyKey)!] : []));
      await this.outbox.enqueueJobs(
        em,
        JobName.NotificationDeliver,
        created.map((id) => ({ payload: { tenantId: event.tenantId, deliveryId: id }, dedupKey: `notify:${id}:0` })),
      );
      const recorded = created.length;
      await this.scheduleFollowUps(em, event, inc, settings.escalation);
      return recorded;
    });
  }

  /**
   * The ladder and the cadence, as delayed jobs through the outbox: each escalation step of the incident's severity
   * (from the declaration, or from the raise or reopen), and a reminder a few minutes before the next status update
   * is due. The jobs check again when they run: an acknowledgement, a resolution or a posted update makes them no-ops.
   */
  private async scheduleFollowUps(em: EntityManager, event: DomainEventEnvelope, inc: Incident, steps: readonly EscalationStep[]): Promise<void> {
    if (inc.status === 'resolved' || inc.status === 'closed') return;
    const base = { tenantId: event.tenantId, incidentId: inc.id };
    if (event.type === 'incident.declared' || event.type === 'incident.severity_changed' || event.type === 'incident.reopened') {
      const from = event.type === 'incident.declared' ? inc.declaredAt : event.occurredAt;
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        if (step.severity !== inc.severity || (step.condition === 'unacknowledged' && inc.acknowledgedAt)) continue;
        await this.outbox.enqueueJob(
          em,
          JobName.EscalationCheck,
          { ...base, step: i, severity: inc.severity, from },
          { runAt: new Date(Date.parse(from) + step.afterMinutes * 60_000), dedupKey: `escalate:${inc.id}:${i}:${Date.parse(from)}` },
        );
      }
    }
    // A quick declaration's missing intake is chased half-way to the response target (issue 18).
    const response = inc.sla.clocks.initialResponse;
    if (event.type === 'incident.declared' && inc.missingIntakeFields.length > 0 && response.dueAt) {
      const at = new Date((Date.parse(inc.declaredAt) + Date.parse(response.dueAt)) / 2);
      await this.outbox.enqueueJob(em, JobName.IntakeReminder, { ...base, at: at.toISOString() }, { runAt: at, dedupKey: `intake:${inc.id}` });
    }
    const su = inc.sla.clocks.statusUpdate;
    if (su.state === 'running' && su.dueAt) {
      const at = Date.parse(su.dueAt) - this.config.notifications.statusReminderMinutes * 60_000;
      await this.outbox.enqueueJob(
        em,
        JobName.StatusUpdateReminder,
        { ...base, dueAt: su.dueAt },
        { runAt: new Date(Math.max(at, this.clock.now().getTime())), dedupKey: `remind:${inc.id}:${Date.parse(su.dueAt)}` },
      );
    }
  }

  /** A step of the escalation ladder: fires once, and only while its condition still holds for the same severity. */
  async escalate(p: { incidentId: string; step: number; severity: string; from: string }): Promise<boolean> {
    // The ladder as it is now: a step changed in the settings after it was scheduled applies as changed.
    const step = (await this.vendorSettings.effective()).escalation[p.step];
    const inc = await this.incidents.summary(p.incidentId).catch(() => null);
    if (!inc || !step || step.severity !== p.severity || inc.severity !== p.severity) return false;
    if (inc.status === 'resolved' || inc.status === 'closed') return false;
    if (step.condition === 'unacknowledged' && inc.acknowledgedAt) return false;
    const now = this.clock.now();
    const due = Date.parse(p.from) + step.afterMinutes * 60_000;
    if (now.getTime() < due) return this.notYet(JobName.EscalationCheck, { tenantId: inc.tenant.id, ...p }, `escalate:${inc.id}:${p.step}`, due, now);
    return this.db.tx(async (em) => {
      if (!(await this.repo.mark(em, inc.tenant.id, inc.id, `escalation:${p.step}:${Date.parse(p.from)}`, now))) return false;
      const payload = {
        reference: inc.reference,
        severity: inc.severity,
        step: p.step + 1,
        condition: step.condition,
        afterMinutes: step.afterMinutes,
        target: step.target,
      };
      await this.events.emit(em, { type: 'incident.escalated', tenantId: inc.tenant.id, subjectId: inc.id, incidentId: inc.id, actor: ESCALATION, payload });
      if (step.email) {
        await this.internalEmail(em, inc, 'incident.escalated', `escalation:${inc.id}:${p.step}:${Date.parse(p.from)}`, payload, step.email, now);
      }
      return true;
    });
  }

  /** A few minutes before a status update is due with none posted since: the engineer who acknowledged is reminded, once. */
  async remindStatusUpdate(p: { incidentId: string; dueAt: string }): Promise<boolean> {
    const inc = await this.incidents.summary(p.incidentId).catch(() => null);
    if (!inc || inc.status === 'resolved' || inc.status === 'closed') return false;
    const su = inc.sla.clocks.statusUpdate;
    // Stale: an update was posted (the due instant moved) or the clock stopped.
    if (su.state !== 'running' || su.dueAt !== p.dueAt) return false;
    const now = this.clock.now();
    const due = Date.parse(p.dueAt) - this.config.notifications.statusReminderMinutes * 60_000;
    if (now.getTime() < due) return this.notYet(JobName.StatusUpdateReminder, { tenantId: inc.tenant.id, ...p }, `remind:${inc.id}`, due, now);
    const engineer = inc.acknowledgedBy?.label ?? null;
    const email = engineer ? (/<([^<>\s]+@[^<>\s]+)>/.exec(engineer)?.[1] ?? null) : null;
    return this.db.tx(async (em) => {
      if (!(await this.repo.mark(em, inc.tenant.id, inc.id, `reminder:${Date.parse(p.dueAt)}`, now))) return false;
      const payload = { reference: inc.reference, dueAt: p.dueAt, engineer, emailed: !!email };
      await this.events.emit(em, {
        type: 'incident.status_update_reminder',
        tenantId: inc.tenant.id,
        subjectId: inc.id,
        incidentId: inc.id,
        actor: REMINDER,
        payload,
      });
      if (email) await this.internalEmail(em, inc, 'incident.status_update_reminder', `reminder:${inc.id}:${Date.parse(p.dueAt)}`, payload, email, now);
      return true;
    });
  }

  /**
   * A quick declaration whose intake is still incomplete at its instant: the declarer and the tenant's incident contacts
   * are emailed once with what is missing (the incident page has the form), recorded as a governance event. Nothing
   * when the fields came meanwhile or the incident is over.
   */
  async chaseIntake(p: { incidentId: string; at: string }): Promise<boolean> {
    const inc = await this.incidents.summary(p.incidentId).catch(() => null);
    if (!inc || inc.status === 'resolved' || inc.status === 'closed' || inc.missingIntakeFields.length === 0) return false;
    const now = this.clock.now();
    const due = Date.parse(p.at);
    if (now.getTime() < due) return this.notYet(JobName.IntakeReminder, { tenantId: inc.tenant.id, ...p }, `intake:${inc.id}`, due, now);
    return this.db.tx(async (em) => {
      if (!(await this.repo.mark(em, inc.tenant.id, inc.id, 'intake-chased', now))) return false;
      const tenant = await this.tenants.findById(em, inc.tenant.id);
      const declarer = /<([^<>\s]+@[^<>\s]+)>/.exec(inc.declaredBy.label)?.[1] ?? null;
      const to = [...new Set([...(declarer ? [declarer] : []), ...(tenant?.contacts ?? []).map((c) => c.email)])];
      const payload = { reference: inc.reference, missing: inc.missingIntakeFields, responseDueAt: inc.sla.clocks.initialResponse.dueAt, emailed: to };
      await this.events.emit(em, {
        type: 'incident.intake_chased',
        tenantId: inc.tenant.id,
        subjectId: inc.id,
        incidentId: inc.id,
        actor: INTAKE_REMINDER,
        payload,
      });
      for (const address of to) await this.internalEmail(em, inc, 'incident.intake_chased', `intake:${inc.id}:${address}`, payload, address, now);
      return true;
    });
  }

  /** A timed job that ran early (a clock skew between the queue and the database): scheduled again for its instant. */
  private async notYet<N extends JobName.EscalationCheck | JobName.StatusUpdateReminder | JobName.IntakeReminder>(
    job: N,
    payload: JobPayload<N> & { tenantId: string },
    key: string,
    due: number,
    now: Date,
  ): Promise<false> {
    await this.db.tx((em) =>
      this.outbox.enqueueJob(em, job, payload, { runAt: new Date(due), dedupKey: `${key}:${due}:early:${now.getTime()}:${randomUUID()}` }),
    );
    return false;
  }

  /** An email to vendor staff (an escalation target, the engineer), through the same delivery log and retries. */
  private async internalEmail(em: EntityManager, inc: Incident, type: string, eventId: string, payload: object, to: string, now: Date): Promise<void> {
    const envelope = {
      type,
      eventId,
      tenantId: inc.tenant.id,
      occurredAt: now.toISOString(),
      subjectId: inc.id,
      incidentId: inc.id,
      actor: type === 'incident.escalated' ? ESCALATION : type === 'incident.intake_chased' ? INTAKE_REMINDER : REMINDER,
      payload,
    };
    const id = await this.repo.insertDelivery(em, {
      tenantId: inc.tenant.id,
      incidentId: inc.id,
      endpointId: null,
      eventId,
      eventType: type,
      channel: 'email',
      target: to,
      idempotencyKey: `${eventId}:email:`,
      status: 'pending',
      payload: { envelope, recipients: [to] },
      at: now,
    });
    if (id) await this.outbox.enqueueJob(em, JobName.NotificationDeliver, { tenantId: inc.tenant.id, deliveryId: id }, { dedupKey: `notify:${id}:0` });
  }

  private webhookBody(type: string, event: DomainEventEnvelope, inc: Incident) {
    return {
      type,
      timestamp: event.occurredAt,
      data: {
        eventId: event.eventId,
        domainEvent: event.type,
        incident: {
          id: inc.id,
          reference: inc.reference,
          title: inc.title,
          severity: inc.severity,
          status: inc.status,
          declaredAt: inc.declaredAt,
          acknowledgedAt: inc.acknowledgedAt,
          resolvedAt: inc.resolvedAt,
          url: `${this.publicUrl.replace(/\/$/, '')}/incidents/${inc.id}`,
        },
        actor: { kind: event.actor.kind, label: event.actor.label },
        details: event.payload,
      },
    };
  }

  // ---- delivering (the job) ----

  /** One attempt of one delivery. Idempotent: a delivered, failed or skipped delivery is left alone. */
  async deliver(deliveryId: string): Promise<void> {
    // The delivery and its endpoint in one read, shared with the attempts running beside this one.
    const found = await this.attemptReads.call({ deliveryId, tenantIds: TenantContext.tenantIds() });
    if (!found) return;
    const { delivery: d, endpoint: ep, awaitingTrigger } = found;
    if (d.status === 'delivered' || d.status === 'failed' || d.status === 'skipped') return;
    const timeoutMs = this.config.notifications.timeoutMs;
    if (d.channel === 'slack') return this.deliverToSlack(d, timeoutMs);
    if (d.channel === 'teams') return this.deliverToTeams(d, timeoutMs);
    if (d.channel === 'hub') return this.deliverToHub(d, timeoutMs);
    let result: AttemptResult;
    if (d.channel === 'webhook') {
      if (!ep || !ep.enabled) {
        await this.finish(d, failure(ep ? `the endpoint is disabled: ${ep.disabledReason ?? 'by its owner'}` : 'the endpoint was removed', false));
        return;
      }
      const now = this.clock.now();
      if (ep.backoffUntil && ep.backoffUntil.getTime() > now.getTime()) {
        // The endpoint is backing off: wait for it without taking a worker or counting an attempt.
        return this.deferAttempt(d, ep.backoffUntil);
      }
      const secret = openSecret({ ciphertext: ep.secretCiphertext, keyId: ep.secretKeyId }, this.keys, webhookAad(ep.tenantId, ep.id));
      // The signature's timestamp is checked against the receiver's own clock (replay window): wall time, not the domain clock.
      const signedAt = new Date();
      result = await this.webhook.send({ url: ep.url, secret, messageId: `msg_${d.id}`, body: JSON.stringify(d.payload), at: signedAt, timeoutMs });
    } else {
      const inc = d.incidentId ? await this.incidents.summary(d.incidentId).catch(() => null) : null;
      if (!inc) {
        await this.finish(d, failure('the incident is no longer visible', false));
        return;
      }
      const envelope = d.payload.envelope as DomainEventEnvelope;
      if (d.channel === 'email') {
        const tenant = await this.db.tx((em) => this.tenants.findById(em, d.tenantId));
        const message = incidentMessage(envelope, inc, { publicUrl: this.publicUrl, hotline: this.hotline(inc), timezone: tenant?.timezone ?? 'UTC' });
        const to = (d.payload.recipients as string[] | undefined) ?? (tenant?.contacts ?? []).map((c) => c.email);
        result = await this.email.send({ to, message, messageId: `<${d.id}@incident-portal>` });
      } else {
        const action = d.payload.pagerDutyAction as 'trigger' | 'acknowledge' | 'resolve';
        // PagerDuty applies events in the order they arrive: an acknowledge or resolve ahead of its trigger (the
        // trigger retrying, or both attempts running at once) would be dropped and leave the page open. It waits for
        // the trigger, without taking a worker or counting an attempt.
        if (awaitingTrigger) {
          return this.deferAttempt(d, new Date(this.clock.now().getTime() + PAGE_ORDER_WAIT_MS));
        }
        result = await this.pagerDuty.send(
          {
            action,
            dedupKey: `incident-portal:${inc.id}`,
            summary: `${inc.tenant.displayName} ${inc.reference} ${inc.severity.replace('sev', 'Sev')}: ${inc.title}`,
            severity: inc.severity === 'sev1' ? 'critical' : inc.severity === 'sev2' ? 'error' : 'warning',
            source: inc.tenant.slug,
            link: `${this.publicUrl.replace(/\/$/, '')}/incidents/${inc.id}`,
            customDetails: { tenant: inc.tenant.displayName, reference: inc.reference, services: inc.services, regions: inc.regions, mode: inc.serviceMode },
          },
          timeoutMs,
        );
      }
    }
    await this.finish(d, result);
  }

  /** The next attempt at `until`, without counting this one as an attempt. */
  private async deferAttempt(d: DeliveryRecord, until: Date): Promise<void> {
    await this.db.tx(async (em) => {
      await this.repo.defer(em, d.id, until);
      await this.outbox.enqueueJob(
        em,
        JobName.NotificationDeliver,
        { tenantId: d.tenantId, deliveryId: d.id },
        { runAt: until, dedupKey: `notify:${d.id}:wait:${until.getTime()}` },
      );
    });
  }

  private hotline(inc: Incident): string | null {
    return hotlineFor(inc.severity, inc.serviceMode, this.config.notifications.hotline);
  }

  /**
   * Slack, one poster per incident thread: the thread row is locked for the call, so the first event to arrive
   * posts the parent and every later one replies to it (and edits the parent to the current state and clocks).
   * The declaration is the parent: when it arrives after another event created the thread, it only edits it.
   */
  private async deliverToSlack(d: DeliveryRecord, timeoutMs: number): Promise<void> {
    const inc = d.incidentId ? await this.incidents.summary(d.incidentId).catch(() => null) : null;
    if (!inc) return this.finish(d, failure('the incident is no longer visible', false));
    const result = await this.db.tx(async (em): Promise<AttemptResult> => {
      const conn = await this.repo.connection(em, d.tenantId, 'slack');
      if (!conn) return failure('Slack is no longer connected', false);
      const token = openSecret({ ciphertext: conn.secretCiphertext, keyId: conn.secretKeyId }, this.keys, slackAad(conn.tenantId, conn.id));
      const tenant = await this.tenants.findById(em, d.tenantId);
      const message = incidentMessage(d.payload.envelope as DomainEventEnvelope, inc, {
        publicUrl: this.publicUrl,
        hotline: this.hotline(inc),
        timezone: tenant?.timezone ?? 'UTC',
      });
      const now = this.clock.now();
      const thread = await this.repo.lockThread(em, d.tenantId, inc.id, 'slack', conn.settings.channelId, now);
      const started = Date.now();
      try {
        let ts: string;
        if (!thread.threadRef) {
          ts = await this.slack.postParent(token, conn.settings.channelId, message, timeoutMs);
          await this.repo.setThread(em, d.tenantId, inc.id, 'slack', conn.settings.channelId, ts, now);
          if (d.eventType !== 'incident.declared') await this.slack.postReply(token, conn.settings.channelId, ts, message, timeoutMs);
        } else {
          ts = thread.threadRef;
          if (d.eventType !== 'incident.declared') await this.slack.postReply(token, thread.target, ts, message, timeoutMs);
          await this.slack.updateParent(token, thread.target, ts, message, timeoutMs);
        }
        return { ok: true, retryable: false, responseStatus: 200, responseExcerpt: `thread ${ts}`, latencyMs: Date.now() - started, error: null };
      } catch (err) {
        const retryable = err instanceof SlackCallFailed ? err.retryable : true;
        return { ...failure(err, retryable), latencyMs: Date.now() - started };
      }
    });
    await this.finish(d, result);
  }

  /**
   * Microsoft Teams, one poster per incident thread like Slack: the first event posts the channel message, every
   * later one a reply to it. The declaration is the parent: arriving after another event started the thread, it
   * has nothing left to say (Graph lets no application edit the parent), so it is delivered as the thread itself.
   */
  private async deliverToTeams(d: DeliveryRecord, timeoutMs: number): Promise<void> {
    const inc = d.incidentId ? await this.incidents.summary(d.incidentId).catch(() => null) : null;
    if (!inc) return this.finish(d, failure('the incident is no longer visible', false));
    const result = await this.db.tx(async (em): Promise<AttemptResult> => {
      const conn = await this.repo.connection(em, d.tenantId, 'teams');
      if (!conn) return failure('Microsoft Teams is no longer connected', false);
      const target = this.teamsTarget(conn);
      const tenant = await this.tenants.findById(em, d.tenantId);
      const message = incidentMessage(d.payload.envelope as DomainEventEnvelope, inc, {
        publicUrl: this.publicUrl,
        hotline: this.hotline(inc),
        timezone: tenant?.timezone ?? 'UTC',
      });
      const now = this.clock.now();
      const threadKey = `${target.teamId}/${target.channelId}`;
      const thread = await this.repo.lockThread(em, d.tenantId, inc.id, 'teams', threadKey, now);
      const started = Date.now();
      try {
        let parentId: string;
        if (!thread.threadRef) {
          parentId = await this.teams.postParent(target, message, timeoutMs);
          await this.repo.setThread(em, d.tenantId, inc.id, 'teams', threadKey, parentId, now);
          if (d.eventType !== 'incident.declared') await this.teams.postReply(target, parentId, message, timeoutMs);
        } else {
          parentId = thread.threadRef;
          // The thread lives in the channel it was started in, even if the tenant moved the connection since.
          const [teamId, channelId] = thread.target.split('/');
          if (d.eventType !== 'incident.declared') await this.teams.postReply({ ...target, teamId, channelId }, parentId, message, timeoutMs);
        }
        return { ok: true, retryable: false, responseStatus: 201, responseExcerpt: `thread ${parentId}`, latencyMs: Date.now() - started, error: null };
      } catch (err) {
        const retryable = err instanceof TeamsCallFailed ? err.retryable : true;
        return { ...failure(err, retryable), latencyMs: Date.now() - started };
      }
    });
    await this.finish(d, result);
  }

  /**
   * The tenant's Hub: the stored output record, signed like the webhooks (Standard Webhooks, the Hub's own secret)
   * and sent through the egress guard to the URL connected now; retried with backoff by `finish` like every delivery.
   */
  private async deliverToHub(d: DeliveryRecord, timeoutMs: number): Promise<void> {
    const conn = await this.db.tx((em) => this.repo.connection(em, d.tenantId, 'hub'));
    if (!conn?.settings.url) return this.finish(d, failure('the Hub is no longer connected', false));
    const secret = openSecret({ ciphertext: conn.secretCiphertext, keyId: conn.secretKeyId }, this.keys, slackAad(conn.tenantId, conn.id));
    // Wall time for the signature: the receiver checks it against its own clock (replay window).
    const result = await this.webhook.send({
      url: conn.settings.url,
      secret,
      messageId: `msg_${d.id}`,
      body: JSON.stringify(d.payload),
      at: new Date(),
      timeoutMs,
    });
    await this.finish(d, { ...result, target: conn.settings.url });
  }

  private teamsTarget(conn: { id: string; tenantId: string; settings: ConnectionSettings; secretCiphertext: string; secretKeyId: string }): TeamsTarget {
    return {
      connectionId: conn.id,
      directoryId: conn.settings.directoryId ?? '',
      clientId: conn.settings.clientId ?? '',
      clientSecret: openSecret({ ciphertext: conn.secretCiphertext, keyId: conn.secretKeyId }, this.keys, slackAad(conn.tenantId, conn.id)),
      teamId: conn.settings.teamId ?? '',
      channelId: conn.settings.channelId,
    };
  }

  /** Records an attempt; schedules the next one (backoff + jitter) or gives up and says so in the audit trail. */
  private async finish(d: DeliveryRecord, r: AttemptResult): Promise<void> {
    const now = this.clock.now();
    const attempts = d.attempts + 1;
    const { maxAttempts, retryBaseSeconds, webhookDisableAfterFailures } = this.config.notifications;
    if (r.ok && d.endpointId) {
      // The common case, one statement shared with the attempts finishing beside this one.
      await this.successWrites.call({
        id: d.id,
        tenantId: d.tenantId,
        endpointId: d.endpointId,
        attempts,
        at: now,
        responseStatus: r.responseStatus,
        responseExcerpt: r.responseExcerpt,
        latencyMs: r.latencyMs,
      });
      return;
    }
    await this.db.tx(async (em) => {
      // A webhook endpoint's run of failures first: when this failure disables it, the delivery stops retrying too.
      let disabled: { url: string; failures: number } | null = null;
      if (d.endpointId) {
        const ep = await this.repo.endpointById(em, d.endpointId, { lock: true });
        if (ep && r.ok) await this.repo.updateEndpoint(em, ep.id, { consecutiveFailures: 0, backoffUntil: null });
        // Answers and network failures count towards disabling; a URL the egress policy refuses is the delivery's own failure.
        if (ep && !r.ok && (r.responseStatus !== null || r.retryable)) {
          const failures = ep.consecutiveFailures + 1;
          if (ep.enabled && failures >= webhookDisableAfterFailures) {
            await this.repo.updateEndpoint(em, ep.id, {
              consecutiveFailures: failures,
              enabled: false,
              disabledReason: `disabled after ${failures} failed deliveries in a row (last: ${r.error ?? 'unknown'})`,
              backoffUntil: null,
            });
            disabled = { url: ep.url, failures };
          } else {
            await this.repo.updateEndpoint(em, ep.id, {
              consecutiveFailures: failures,
              backoffUntil: new Date(now.getTime() + retryDelayMs(failures, retryBaseSeconds)),
            });
          }
        }
      }
      const retry = !r.ok && r.retryable && attempts < maxAttempts && !disabled;
      const next = retry ? new Date(now.getTime() + retryDelayMs(attempts, retryBaseSeconds)) : null;
      await this.repo.recordAttempt(em, d.id, {
        status: r.ok ? 'delivered' : retry ? 'retrying' : 'failed',
        attempts,
        at: now,
        lastError: r.error,
        responseStatus: r.responseStatus,
        responseExcerpt: r.responseExcerpt,
        latencyMs: r.latencyMs,
        nextAttemptAt: next,
        target: r.target,
      });
      if (next) {
        await this.outbox.enqueueJob(
          em,
          JobName.NotificationDeliver,
          { tenantId: d.tenantId, deliveryId: d.id },
          { runAt: next, dedupKey: `notify:${d.id}:${attempts}` },
        );
      }
      if (!r.ok && !retry) {
        await this.events.emit(em, {
          type: 'notification.delivery_failed',
          tenantId: d.tenantId,
          subjectId: d.id,
          incidentId: d.incidentId,
          actor: SYSTEM,
          payload: { channel: d.channel, eventType: d.eventType, attempts, error: r.error ?? 'unknown' },
        });
      }
      if (disabled) await this.announceDisabled(em, d.tenantId, d.endpointId!, disabled);
    });
  }

  /** The endpoint's owners are told: the audit trail, and an email to the tenant's incident contacts. */
  private async announceDisabled(em: EntityManager, tenantId: string, endpointId: string, e: { url: string; failures: number }): Promise<void> {
    const tenant = await this.tenants.findById(em, tenantId);
    const to = (tenant?.contacts ?? []).map((c) => c.email);
    let notified = 0;
    if (to.length && this.mailer.configured) {
      try {
        await this.mailer.send({
          to,
          subject: `[${tenant!.displayName}] A webhook endpoint was disabled`,
          text: `The incident portal disabled the webhook endpoint ${e.url} after ${e.failures} failed deliveries in a row.\n\nFix the receiver, then enable the endpoint again in Settings → Integrations: ${this.publicUrl.replace(/\/$/, '')}/settings\n`,
        });
        notified = to.length;
      } catch (err) {
        this.log.warn({ tenantId, endpointId, err: (err as Error).message }, 'could not email the owners of a disabled webhook endpoint');
      }
    }
    await this.events.emit(em, {
      type: 'webhook.endpoint_disabled',
      tenantId,
      subjectId: endpointId,
      actor: SYSTEM,
      payload: { url: e.url, failures: e.failures, notified },
    });
  }

  // ---- the delivery log and retries (HTTP) ----

  async forIncident(incidentId: string): Promise<IncidentNotificationsView> {
    const inc = await this.incidents.summary(incidentId);
    const all = await this.db.tx((em) => this.repo.forIncident(em, inc.id));
    const vendor = ['support_engineer', 'csm'].includes(TenantContext.actor().role);
    return { hotline: this.hotline(inc), deliveries: vendor ? all : all.filter((d) => !INTERNAL_EVENTS.has(d.eventType)) };
  }

  async retry(deliveryId: string): Promise<NotificationDeliveryView> {
    await this.db.tx(async (em) => {
      const d = await this.repo.deliveryById(em, deliveryId, { lock: true });
      if (!d) throw new NotFound('no such delivery');
      if (d.status === 'delivered') throw new InvalidTransition('this delivery was already delivered');
      if (d.endpointId) {
        const ep = await this.repo.endpointById(em, d.endpointId);
        if (!ep) throw new InvalidTransition('the endpoint was removed');
        if (!ep.enabled) throw new InvalidTransition('the endpoint is disabled; enable it first');
        await this.repo.updateEndpoint(em, ep.id, { backoffUntil: null });
      }
      await this.repo.setStatus(em, d.id, 'retrying');
      const at = this.clock.now();
      await this.outbox.enqueueJob(
        em,
        JobName.NotificationDeliver,
        { tenantId: d.tenantId, deliveryId: d.id },
        { dedupKey: `notify:${d.id}:manual:${at.getTime()}` },
      );
      await this.events.emit(em, {
        type: 'notification.retry_requested',
        tenantId: d.tenantId,
        subjectId: d.id,
        incidentId: d.incidentId,
        payload: { channel: d.channel, eventType: d.eventType, deliveryId: d.id },
      });
    });
    return this.deliveryView(deliveryId);
  }

  private async deliveryView(id: string): Promise<NotificationDeliveryView> {
    return this.db.tx(async (em) => {
      const d = await this.repo.deliveryById(em, id);
      if (!d) throw new NotFound('no such delivery');
      return d.endpointId
        ? (await this.repo.forEndpoint(em, d.endpointId, 1000)).find((v) => v.id === id)!
        : (await this.repo.forIncident(em, d.incidentId!)).find((v) => v.id === id)!;
    });
  }

  // ---- Slack connection (tenant settings) ----

  async slackConnection(): Promise<SlackConnectionView> {
    const tenantId = this.tenantOf();
    const c = await this.db.tx((em) => this.repo.connection(em, tenantId, 'slack'));
    return {
      connected: !!c,
      channelId: c?.settings.channelId ?? null,
      tokenHint: c ? `…${c.tokenHint}` : null,
      updatedAt: c ? new Date(c.updatedAt).toISOString() : null,
    };
  }

  async connectSlack(input: ConnectSlackInput): Promise<SlackConnectionView> {
    await this.storeChatConnection('slack', input.botToken, { channelId: input.channelId }, 'notification.slack_connected', (replaced) => ({
      channelId: input.channelId,
      replaced,
    }));
    return this.slackConnection();
  }

  async disconnectSlack(): Promise<void> {
    await this.removeChatConnection('slack', 'notification.slack_disconnected', (c) => ({ channelId: c.settings.channelId }));
  }

  async testSlack(): Promise<{ ok: boolean; error: string | null }> {
    return this.testChat('slack', (conn, tenantName, timeoutMs) => {
      const token = openSecret({ ciphertext: conn.secretCiphertext, keyId: conn.secretKeyId }, this.keys, slackAad(conn.tenantId, conn.id));
      return this.slack.postTest(token, conn.settings.channelId, tenantName, timeoutMs);
    });
  }

  // ---- one path for storing, removing and testing a chat connection (Slack or Teams) ----

  /** Seals the connection's secret (bound to its table, tenant and id: a sealed value cannot be moved) and records the change. */
  private async storeChatConnection<T extends 'notification.slack_connected' | 'notification.teams_connected'>(
    kind: ChatKind,
    secret: string,
    settings: ConnectionRecord['settings'],
    type: T,
    payload: (replaced: boolean) => DomainEventPayloads[T],
  ): Promise<void> {
    const tenantId = this.tenantOf();
    await this.db.tx(async (em) => {
      const existing = await this.repo.connection(em, tenantId, kind);
      const id = randomUUID();
      const sealed = sealSecret(secret, this.config.secretKey, this.config.secretKeyId, slackAad(tenantId, id));
      await this.repo.upsertConnection(em, {
        id,
        tenantId,
        kind,
        settings,
        secretCiphertext: sealed.ciphertext,
        secretKeyId: sealed.keyId,
        tokenHint: secret.slice(-4),
        at: this.clock.now(),
      });
      await this.events.emit(em, { type, tenantId, subjectId: id, payload: payload(!!existing) });
      if (existing && kind === 'teams') this.teams.forget(existing.id);
    });
  }

  private async removeChatConnection<T extends 'notification.slack_disconnected' | 'notification.teams_disconnected'>(
    kind: ChatKind,
    type: T,
    payload: (c: ConnectionRecord) => DomainEventPayloads[T],
  ): Promise<void> {
    const tenantId = this.tenantOf();
    await this.db.tx(async (em) => {
      const c = await this.repo.deleteConnection(em, tenantId, kind);
      if (!c) throw kind === 'slack' ? new SlackNotConnected() : new TeamsNotConnected();
      await this.events.emit(em, { type, tenantId, subjectId: c.id, payload: payload(c) });
      if (kind === 'teams') this.teams.forget(c.id);
    });
  }

  private async testChat(
    kind: ChatKind,
    post: (conn: ConnectionRecord, tenantName: string, timeoutMs: number) => Promise<unknown>,
  ): Promise<{ ok: boolean; error: string | null }> {
    const tenantId = this.tenantOf();
    const { conn, tenantName } = await this.db.tx(async (em) => ({
      conn: await this.repo.connection(em, tenantId, kind),
      tenantName: (await this.tenants.findById(em, tenantId))?.displayName ?? '',
    }));
    if (!conn) throw kind === 'slack' ? new SlackNotConnected() : new TeamsNotConnected();
    try {
      await post(conn, tenantName, this.config.notifications.timeoutMs);
      return { ok: true, error: null };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  // ---- Microsoft Teams connection (tenant settings, issue 14 part C) ----

  async teamsConnection(): Promise<TeamsConnectionView> {
    const tenantId = this.tenantOf();
    const c = await this.db.tx((em) => this.repo.connection(em, tenantId, 'teams'));
    return {
      connected: !!c,
      directoryId: c?.settings.directoryId ?? null,
      clientId: c?.settings.clientId ?? null,
      teamId: c?.settings.teamId ?? null,
      channelId: c?.settings.channelId ?? null,
      secretHint: c ? `…${c.tokenHint}` : null,
      updatedAt: c ? new Date(c.updatedAt).toISOString() : null,
    };
  }

  async connectTeams(input: ConnectTeamsInput): Promise<TeamsConnectionView> {
    const settings = { directoryId: input.directoryId, clientId: input.clientId, teamId: input.teamId, channelId: input.channelId };
    await this.storeChatConnection('teams', input.clientSecret, settings, 'notification.teams_connected', (replaced) => ({
      teamId: input.teamId,
      channelId: input.channelId,
      clientId: input.clientId,
      replaced,
    }));
    return this.teamsConnection();
  }

  async disconnectTeams(): Promise<void> {
    await this.removeChatConnection('teams', 'notification.teams_disconnected', (c) => ({
      teamId: c.settings.teamId ?? '',
      channelId: c.settings.channelId,
    }));
  }

  async testTeams(): Promise<{ ok: boolean; error: string | null }> {
    return this.testChat('teams', (conn, tenantName, timeoutMs) => this.teams.postTest(this.teamsTarget(conn), tenantName, timeoutMs));
  }

  // ---- the tenant's Hub (tenant settings; h2b-pir-publish, issue 15) ----

  async hubConnection(): Promise<HubConnectionView> {
    const tenantId = this.tenantOf();
    const c = await this.db.tx((em) => this.repo.connection(em, tenantId, 'hub'));
    return {
      connected: !!c,
      url: c?.settings.url ?? null,
      secretHint: c ? `…${c.tokenHint}` : null,
      updatedAt: c ? new Date(c.updatedAt).toISOString() : null,
    };
  }

  async connectHub(input: ConnectHubInput): Promise<HubConnectionView> {
    const tenantId = this.tenantOf();
    try {
      this.http.checkUrl(input.url);
    } catch (err) {
      if (err instanceof EgressRefused) throw new ValidationFailed([{ field: 'url', message: err.message }]);
      throw err;
    }
    await this.db.tx(async (em) => {
      const existing = await this.repo.connection(em, tenantId, 'hub');
      const id = randomUUID();
      // Sealed with the row's table, tenant and id as additional data, like the chat tokens.
      const sealed = sealSecret(input.secret, this.config.secretKey, this.config.secretKeyId, slackAad(tenantId, id));
      await this.repo.upsertConnection(em, {
        id,
        tenantId,
        kind: 'hub',
        settings: { channelId: '', url: input.url },
        secretCiphertext: sealed.ciphertext,
        secretKeyId: sealed.keyId,
        tokenHint: input.secret.slice(-4),
        at: this.clock.now(),
      });
      await this.events.emit(em, { type: 'notification.hub_connected', tenantId, subjectId: id, payload: { url: input.url, replaced: !!existing } });
    });
    return this.hubConnection();
  }

  async disconnectHub(): Promise<void> {
    const tenantId = this.tenantOf();
    await this.db.tx(async (em) => {
      const c = await this.repo.deleteConnection(em, tenantId, 'hub');
      if (!c) throw new HubNotConnected();
      await this.events.emit(em, { type: 'notification.hub_disconnected', tenantId, subjectId: c.id, payload: { url: c.settings.url ?? '' } });
    });
  }

  // ---- webhook endpoints (tenant settings) ----

  async listEndpoints(): Promise<WebhookEndpointView[]> {
    const tenantId = this.tenantOf();
    return (await this.db.tx((em) => this.repo.endpoints(em, tenantId))).map(endpointView);
  }

  async createEndpoint(input: CreateWebhookEndpointInput): Promise<CreatedWebhookEndpoint> {
    const tenantId = this.tenantOf();
    try {
      this.http.checkUrl(input.url);
    } catch (err) {
      if (err instanceof EgressRefused) throw new ValidationFailed([{ field: 'url', message: err.message }]);
      throw err;
    }
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const id = randomUUID();
    const sealed = sealSecret(secret, this.config.secretKey, this.config.secretKeyId, webhookAad(tenantId, id));
    const actor = TenantContext.actor();
    const events = input.events ? [...new Set(input.events)] : [...WEBHOOK_EVENT_TYPES];
    const created = await this.db.tx(async (em) => {
      const count = (await this.repo.endpoints(em, tenantId)).length;
      if (count >= 50) throw new InvalidTransition('a tenant has at most 50 webhook endpoints');
      const ep = await this.repo.insertEndpoint(em, {
        id,
        tenantId,
        url: input.url,
        description: input.description ?? '',
        events,
        secretCiphertext: sealed.ciphertext,
        secretKeyId: sealed.keyId,
        createdBy: { kind: actor.kind, id: actor.id, label: actor.label },
        at: this.clock.now(),
      });
      await this.events.emit(em, { type: 'webhook.endpoint_created', tenantId, subjectId: id, payload: { url: input.url, events } });
      return ep;
    });
    return { ...endpointView(created), secret };
  }

  async updateEndpoint(id: string, patch: UpdateWebhookEndpointInput): Promise<WebhookEndpointView> {
    this.tenantOf();
    return this.db.tx(async (em) => {
      const ep = await this.repo.endpointById(em, id, { lock: true });
      if (!ep) throw new NotFound('no such webhook endpoint');
      const changed = Object.keys(patch);
      await this.repo.updateEndpoint(em, id, {
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.events ? { events: [...new Set(patch.events)] } : {}),
        ...(patch.enabled === true ? { enabled: true, disabledReason: null, consecutiveFailures: 0, backoffUntil: null } : {}),
        ...(patch.enabled === false ? { enabled: false, disabledReason: 'disabled by its owner' } : {}),
      });
      const enabled = patch.enabled ?? ep.enabled;
      await this.events.emit(em, { type: 'webhook.endpoint_updated', tenantId: ep.tenantId, subjectId: id, payload: { url: ep.url, changed, enabled } });
      return endpointView((await this.repo.endpointById(em, id))!);
    });
  }

  async deleteEndpoint(id: string): Promise<void> {
    this.tenantOf();
    await this.db.tx(async (em) => {
      const ep = await this.repo.endpointById(em, id, { lock: true });
      if (!ep) throw new NotFound('no such webhook endpoint');
      await this.repo.updateEndpoint(em, id, { deletedAt: this.clock.now(), enabled: false });
      await this.events.emit(em, { type: 'webhook.endpoint_deleted', tenantId: ep.tenantId, subjectId: id, payload: { url: ep.url } });
    });
  }

  async endpointDeliveries(id: string): Promise<NotificationDeliveryView[]> {
    this.tenantOf();
    return this.db.tx(async (em) => {
      const ep = await this.repo.endpointById(em, id);
      if (!ep) throw new NotFound('no such webhook endpoint');
      return this.repo.forEndpoint(em, id, 100);
    });
  }

  /** "Send test event": a `webhook.test` delivery through the same queue, signature and log as real events. */
  async testEndpoint(id: string): Promise<NotificationDeliveryView> {
    this.tenantOf();
    const deliveryId = await this.db.tx(async (em) => {
      const ep = await this.repo.endpointById(em, id);
      if (!ep) throw new NotFound('no such webhook endpoint');
      if (!ep.enabled) throw new InvalidTransition('the endpoint is disabled; enable it first');
      const now = this.clock.now();
      const eventId = `test-${randomUUID()}`;
      const newId = await this.repo.insertDelivery(em, {
        tenantId: ep.tenantId,
        incidentId: null,
        endpointId: ep.id,
        eventId,
        eventType: 'webhook.test',
        channel: 'webhook',
        target: ep.url,
        idempotencyKey: `${eventId}:webhook:${ep.id}`,
        status: 'pending',
        payload: { type: 'webhook.test', timestamp: now.toISOString(), data: { message: 'A test event from the incident portal.' } },
        at: now,
      });
      await this.outbox.enqueueJob(em, JobName.NotificationDeliver, { tenantId: ep.tenantId, deliveryId: newId! }, { dedupKey: `notify:${newId}:0` });
      return newId!;
    });
    return this.deliveryView(deliveryId);
  }
}
