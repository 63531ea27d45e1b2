import { Injectable, Logger } from '@nestjs/common';
import { TenantContext } from '@portal/tenancy';
import type { CredentialHealthItem, CredentialHealthReport } from '@portal/contracts';
import { ApiTokensService } from '../auth/api-tokens.service';
import { Clock } from '../common/clock';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { Mailer } from '../mail/mailer';
import { IdentityProvidersService } from '../sso/identity-providers.service';
import { alertDue, classify, digestDue, KnownCredential } from './credential-core';
import { CredentialHealthRepository } from './credential-health.repository';

const NOTES = [
  'OpenID Connect and Entra ID client secrets are listed only where the provider told the portal their expiry; the portal stores none today, so check them at your identity provider.',
  'SCIM bearer tokens and credentials held outside the portal are not listed.',
];

const line = (i: CredentialHealthItem) =>
  `- ${i.name}: ${i.expiresAt ? `expires ${i.expiresAt.slice(0, 10)} (${i.daysLeft! < 0 ? 'expired' : `${i.daysLeft} days left`})` : 'no expiry'}${
    i.status === 'unused' ? ', not used for 90 days or more' : ''
  }`;

/**
 * The credential-health digest: every credential the portal knows for a tenant with its expiry (SAML signing
 * certificates, Entra client certificates, API tokens), weekly by email, and an alert 30, 7 and 1 days before
 * one expires. Each send is a tenant domain event (a tenant webhook may forward it).
 */
@Injectable()
export class CredentialHealthService {
  private readonly logger = new Logger('CredentialHealth');
  constructor(
    private readonly db: Db,
    private readonly repo: CredentialHealthRepository,
    private readonly idps: IdentityProvidersService,
    private readonly tokens: ApiTokensService,
    private readonly events: DomainEvents,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
  ) {}

  /** In the tenant's context (request or job). */
  async report(tenantId: string): Promise<CredentialHealthReport> {
    const now = this.clock.now();
    const known: KnownCredential[] = [];
    for (const p of await this.idps.list(tenantId)) {
      if ('saml' in p && p.saml) {
        for (const c of p.saml.certificates) {
          known.push({
            key: `saml:${p.id}:${c.fingerprintSha256}`,
            kind: 'saml_signing_certificate',
            name: `SAML signing certificate of ${p.displayName} (${c.subject})`,
            expiresAt: new Date(c.notAfter),
          });
        }
      }
      if ('entra' in p && p.entra?.certificate) {
        known.push({
          key: `entra:${p.id}:${p.entra.certificate.fingerprintSha256}`,
          kind: 'entra_client_certificate',
          name: `Entra ID client certificate of ${p.displayName}`,
          expiresAt: new Date(p.entra.certificate.notAfter),
        });
      }
    }
    for (const t of await this.tokens.list(tenantId)) {
      if (t.revokedAt) continue;
      known.push({
        key: `api_token:${t.id}`,
        kind: 'api_token',
        name: `API token ${t.name} (${t.displayPrefix}…)`,
        expiresAt: t.expiresAt ? new Date(t.expiresAt) : null,
        lastUsedAt: t.lastUsedAt ? new Date(t.lastUsedAt) : null,
        createdAt: new Date(t.createdAt),
      });
    }
    const sub = await this.db.tx((em) => this.repo.subscription(em, tenantId));
    return {
      generatedAt: now.toISOString(),
      items: classify(known, now),
      subscription: sub ? { email: sub.email, lastDigestAt: sub.lastDigestAt ? new Date(sub.lastDigestAt).toISOString() : null } : null,
      notes: NOTES,
    };
  }

  async subscribe(tenantId: string, email: string): Promise<CredentialHealthReport> {
    const by = TenantContext.actor().label;
    await this.db.tx(async (em) => {
      await this.repo.upsert(em, { tenantId, email, at: this.clock.now(), by });
      await this.events.emit(em, { type: 'credentials.digest_subscribed', tenantId, subjectId: tenantId, payload: { email } });
    });
    return this.report(tenantId);
  }

  async unsubscribe(tenantId: string): Promise<CredentialHealthReport> {
    await this.db.tx(async (em) => {
      // Unsubscribing twice is not an error: the outcome is the same.
      const sub = await this.repo.subscription(em, tenantId);
      if (!sub) return;
      await this.repo.remove(em, tenantId);
      await this.events.emit(em, { type: 'credentials.digest_unsubscribed', tenantId, subjectId: tenantId, payload: { email: sub.email } });
    });
    return this.report(tenantId);
  }

  /** Every subscribed tenant (system scope); the sweep then works in each tenant's own context. */
  subscribedTenants(): Promise<string[]> {
    return this.db.scoped('system', (em) => this.repo.subscribedTenants(em));
  }

  /** One tenant's run of the daily sweep: the weekly digest when due, and any expiry alert due (each once). */
  async sweepTenant(tenantId: string): Promise<{ digest: boolean; alerts: number }> {
    const now = this.clock.now();
    const report = await this.report(tenantId);
    if (!report.subscription) return { digest: false, alerts: 0 };
    const email = report.subscription.email;
    const sent = await this.db.tx((em) => this.repo.alertsSent(em, tenantId));
    const due = report.items
      .map((item) => ({
        item,
        threshold: alertDue(item, (t) =>
          sent.some((s) => s.key === item.key && s.threshold === t && new Date(s.expiresAt).getTime() === Date.parse(item.expiresAt!)),
        ),
      }))
      .filter((d): d is { item: CredentialHealthItem; threshold: number } => d.threshold !== null);
    if (due.length) {
      await this.mailer.send({
        to: [email],
        subject: `[Credential health] ${due.length === 1 ? `${due[0].item.name} expires in ${Math.max(0, due[0].item.daysLeft!)} days` : `${due.length} credentials expire soon`}`,
        text: [
          'These credentials the portal knows for your organisation expire soon:',
          '',
          ...due.map((d) => line(d.item)),
          '',
          'Renew them before they expire to keep sign-in and integrations working.',
        ].join('\n'),
      });
      await this.db.tx(async (em) => {
        for (const d of due) {
          if (!(await this.repo.recordAlert(em, { tenantId, key: d.item.key, threshold: d.threshold, expiresAt: new Date(d.item.expiresAt!), at: now })))
            continue;
          await this.events.emit(em, {
            type: 'credentials.expiring',
            tenantId,
            subjectId: tenantId,
            payload: {
              key: d.item.key,
              kind: d.item.kind,
              name: d.item.name,
              expiresAt: d.item.expiresAt!,
              daysLeft: d.item.daysLeft!,
              thresholdDays: d.threshold,
            },
          });
        }
      });
    }
    const lastDigest = report.subscription.lastDigestAt ? new Date(report.subscription.lastDigestAt) : null;
    if (!digestDue(lastDigest, now)) return { digest: false, alerts: due.length };
    const expiring = report.items.filter((i) => i.status === 'expiring').length;
    const expired = report.items.filter((i) => i.status === 'expired').length;
    await this.mailer.send({
      to: [email],
      subject: `[Credential health] Weekly digest: ${report.items.length} credentials, ${expiring} expiring, ${expired} expired`,
      text: [
        `Every credential the portal knows for your organisation, ${now.toISOString().slice(0, 10)}:`,
        '',
        ...(report.items.length ? report.items.map(line) : ['- none']),
        '',
        ...report.notes,
      ].join('\n'),
    });
    await this.db.tx(async (em) => {
      await this.repo.markDigest(em, tenantId, now);
      await this.events.emit(em, {
        type: 'credentials.digest_sent',
        tenantId,
        subjectId: tenantId,
        payload: { email, credentials: report.items.length, expiring, expired },
      });
    });
    this.logger.log({ tenantId, credentials: report.items.length, alerts: due.length }, 'credential-health digest sent');
    return { digest: true, alerts: due.length };
  }
}
