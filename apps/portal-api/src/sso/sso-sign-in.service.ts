import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import type { TenantRole, VendorRole } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { SessionService } from '../auth/session.service';
import { Accounts } from '../auth/accounts.service';
import { Clock } from '../common/clock';
import { safeEqual } from '../common/tokens';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { claimValues, resolveRole } from './role-mapping';
import { isAuditedOccurrence, SSO_FAILURE_WINDOW_SECONDS, SsoAbuseControls } from './sso-abuse';
import { AUDIT_CAPS, auditIdpId, cleanText, failureDetails } from './sso-audit';
import { sanitizeDetail, SsoSignInFailed, urlPolicyFailure } from './sso-errors';
import type { SsoFlow } from './sso-flow.store';
import { legacySubject } from './sso-subject';
import { SsoUrls } from './sso-urls';
import { IDP_KINDS, type IdpKind, type Realm, type ResolvedIdp, type SsoIdentity } from './sso.types';

export const SSO_FLOW_COOKIE = 'portal_sso_flow';
const TENANT_RANK: readonly TenantRole[] = ['customer_admin', 'customer_viewer'];
const VENDOR_RANK: readonly VendorRole[] = ['support_engineer', 'csm'];

type SsoUserRow = NonNullable<Awaited<ReturnType<Accounts['findUserByEmail']>>>;

const isUniqueViolation = (e: unknown) =>
  e instanceof QueryFailedError && (e as QueryFailedError & { driverError?: { code?: string } }).driverError?.code === '23505';

/**
 * What every protocol shares once the provider's answer is verified: role mapping, just-in-time
 * accounts, the session, the audit trail; and, when anything fails, the governance event and the
 * error page with a correlation id.
 */
@Injectable()
export class SsoSignInService {
  private readonly logger = new Logger('SsoSignIn');

  constructor(
    private readonly db: Db,
    private readonly users: Accounts,
    private readonly sessions: SessionService,
    private readonly events: DomainEvents,
    private readonly urls: SsoUrls,
    private readonly abuse: SsoAbuseControls,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {}

  /**
   * Binds a sign-in to the browser that started it (login CSRF): the flow id in an httpOnly cookie,
   * compared with the state/RelayState that comes back. SAML's answer is a cross-site POST, which
   * SameSite=Lax cookies do not follow, so for SAML the cookie is SameSite=None and only enforced
   * where cookies are Secure (production); elsewhere SAML relies on InResponseTo + RelayState.
   */
  setFlowCookie(res: Response, flow: SsoFlow): void {
    const secure = this.config.session.cookieSecure;
    const sameSite = flow.kind === 'saml' && secure ? ('none' as const) : ('lax' as const);
    res.cookie(SSO_FLOW_COOKIE, flow.id, { httpOnly: true, secure, sameSite, path: '/sso/', maxAge: this.config.sso.flowTtlSeconds * 1000 });
  }

  checkFlowCookie(req: Request, kind: IdpKind, returnedId: string): void {
    if (kind === 'saml' && !this.config.session.cookieSecure) return;
    const cookie = req.cookies?.[SSO_FLOW_COOKIE];
    if (typeof cookie !== 'string' || !safeEqual(cookie, returnedId)) {
      throw new SsoSignInFailed(
        'state_mismatch',
        typeof cookie === 'string' ? 'the returned state is not the one this browser started' : 'this browser has no sign-in in progress (flow cookie missing)',
      );
    }
  }

  private clearFlowCookie(res: Response): void {
    res.clearCookie(SSO_FLOW_COOKIE, { path: '/sso/' });
  }

  /** Signs the person in (or refuses them) and returns where the browser goes next. */
  async complete(req: Request, res: Response, idp: ResolvedIdp, identity: SsoIdentity, flow: SsoFlow): Promise<string> {
    const now = this.clock.now();
    const name = (identity.name?.trim() || identity.email?.split('@')[0] || 'SSO user').slice(0, 200);
    if (idp.realm.kind === 'tenant') {
      const tenant = idp.realm.tenant;
      const { role, matched } = resolveRole(
        idp.roleMapping as { claim: string; rules: { value: string; role: TenantRole }[]; defaultRole: TenantRole | null },
        identity.claims,
        TENANT_RANK,
      );
      if (!role) throw this.noRole(idp, identity);
      if (!identity.email) throw new SsoSignInFailed('unknown_user', 'the identity provider sent no email address for this person');
      const email = identity.email;
      const outcome = await this.db
        .forTenants([tenant.id], async (em) => {
          let id: string | null = null;
          let how: 'returning' | 'linked' | 'created' = 'returning';
          // Bound to the provider configuration that created it: (tenant, provider, subject), never the subject alone.
          const known = await this.users.findUserBySubject(em, tenant.id, idp.id, identity.subject);
          if (known) id = known.id;
          else {
            const byEmail = await this.users.findUserByEmail(em, tenant.id, email);
            if (byEmail) {
              // An existing account reaches this provider only through a customer admin's explicit link (sso.account_linked).
              const refusal = linkRefusal(byEmail, idp.id, identity.emailVerified, now);
              if (refusal) throw new SsoSignInFailed('account_conflict', refusal);
              id = byEmail.id;
              how = 'linked';
            } else if (!idp.jitProvisioning) {
              throw new SsoSignInFailed('unknown_user', 'no account for this subject and automatic account creation is off for this provider');
            } else how = 'created';
          }
          const user = await this.users.saveSsoUser(
            em,
            { id, tenantId: tenant.id, email, name, role, idpConfigId: idp.id, subject: identity.subject, consumeLink: how === 'linked' },
            now,
          );
          return { user, how };
        })
        .catch((e) => {
          if (isUniqueViolation(e)) throw new SsoSignInFailed('account_conflict', 'the email address belongs to another account in this tenant');
          throw e;
        });
      const { user, how } = outcome;
      const label = `${user.name} <${user.email}>`;
      await this.sessions.start(req, res, { principalKind: 'user', principalId: user.id, tenantId: tenant.id, role: user.role, label });
      TenantContext.enter({ kind: 'user', id: user.id, label, role: user.role, homeTenantId: tenant.id }, [tenant.id]);
      await this.db.forTenants([tenant.id], (em) =>
        this.events.emit(em, {
          tenantId: tenant.id,
          type: 'auth.sign_in',
          subjectType: 'user',
          subjectId: user.id,
          payload: { method: idp.kind, idpId: idp.id, idpName: idp.displayName, role: user.role, account: how, matchedValues: matched.slice(0, 20) },
        }),
      );
    } else {
      const { role, matched } = resolveRole(
        idp.roleMapping as { claim: string; rules: { value: string; role: VendorRole }[]; defaultRole: VendorRole | null },
        identity.claims,
        VENDOR_RANK,
      );
      if (!role) throw this.noRole(idp, identity);
      if (!identity.email) throw new SsoSignInFailed('unknown_user', 'the identity provider sent no email address for this person');
      const email = identity.email;
      const { staff, how } = await this.db
        .scoped('directory', async (em) => {
          let id: string | null = null;
          let how: 'returning' | 'linked' | 'created' = 'returning';
          // Staff are bound to the staff provider (its configured id) that signed them in, like tenant users.
          const known = await this.users.findStaffBySubject(em, idp.id, identity.subject);
          const legacy = known ? null : legacySubject(idp, identity.subject);
          // A row bound before migration 1763900000006 has no provider id: the staff provider asserting its old subject adopts it.
          const adopted = legacy ? await this.users.findLegacyStaffBySubject(em, legacy) : null;
          if (known ?? adopted) id = (known ?? adopted)!.id;
          else {
            const byEmail = await this.users.findStaffByEmail(em, email);
            // Staff providers are deployment configuration (no admin API links staff): a staff account bound to no
            // provider yet is bound by the first staff provider that vouches for its address; a bound one never moves.
            if (byEmail && byEmail.idpSubject === null && identity.emailVerified) {
              id = byEmail.id;
              how = 'linked';
            } else if (byEmail)
              throw new SsoSignInFailed(
                'account_conflict',
                byEmail.idpSubject
                  ? `a staff account with this email is bound to ${byEmail.idpProviderId === idp.id ? 'another subject of this provider' : 'another staff provider'}`
                  : 'a staff account with this email exists and the provider does not vouch for the address (email_verified)',
              );
            else if (!idp.jitProvisioning) throw new SsoSignInFailed('unknown_user', 'no staff account for this subject and automatic account creation is off');
            else how = 'created';
          }
          return { staff: await this.users.saveSsoStaff(em, { id, email, name, role, providerId: idp.id, subject: identity.subject }, now), how };
        })
        .catch((e) => {
          if (isUniqueViolation(e)) throw new SsoSignInFailed('account_conflict', 'the email address belongs to another staff account');
          throw e;
        });
      const label = `${staff.name} <${staff.email}>`;
      await this.sessions.start(req, res, { principalKind: 'staff', principalId: staff.id, tenantId: null, role: staff.role, label });
      TenantContext.enter({ kind: 'staff', id: staff.id, label, role: staff.role, homeTenantId: null }, []);
      await this.db.forTenants([], (em) =>
        this.events.emit(em, {
          tenantId: null,
          type: 'auth.sign_in',
          subjectType: 'staff',
          subjectId: staff.id,
          payload: { method: idp.kind, idpId: idp.id, idpName: idp.displayName, role: staff.role, account: how, matchedValues: matched.slice(0, 20) },
        }),
      );
    }
    this.clearFlowCookie(res);
    return flow.returnTo;
  }

  private noRole(idp: ResolvedIdp, identity: SsoIdentity): SsoSignInFailed {
    const values = claimValues(identity.claims, idp.roleMapping.claim);
    return new SsoSignInFailed(
      'no_role',
      `no role: the ${values.length} value(s) of claim "${idp.roleMapping.claim}" match no rule, and the provider has no default role`,
      { claim: idp.roleMapping.claim, values },
    );
  }

  /**
   * Records a refused sign-in (tenant-scoped when the tenant is known) and returns the error page's address.
   * What reaches the append-only trail is bounded and normalised (sso-audit.ts); refusals nobody has verified
   * (no identity from the provider yet: forged, replayed, expired or misdirected answers, unknown links) are
   * counted per (tenant, provider, code) and recorded at the 1st, 10th, 100th… occurrence of a window, with the
   * count, instead of once per request. The log line of every refusal keeps its correlation id.
   */
  async fail(res: Response, err: unknown, ctx: FailureContext): Promise<string> {
    let f: SsoSignInFailed;
    if (err instanceof SsoSignInFailed) f = err;
    else {
      const policy = urlPolicyFailure(err);
      if (policy) f = policy;
      else {
        // Not a refusal we anticipated: keep the stack in the log, show the generic page.
        this.logger.error({ err, kind: ctx.kind }, 'unexpected SSO failure');
        f = new SsoSignInFailed('invalid_response', sanitizeDetail(`unexpected: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
    const tenantId = ctx.realm?.kind === 'tenant' ? ctx.realm.tenant.id : null;
    const store = TenantContext.maybeStore();
    const correlationId = store?.requestId;
    const method = (IDP_KINDS as readonly string[]).includes(ctx.kind) ? ctx.kind : 'unknown';
    const idpId = ctx.resolvedIdpId ?? auditIdpId(ctx.idpId);
    const verified = typeof ctx.identity?.subject === 'string';
    this.clearFlowCookie(res);
    const page = this.urls.errorPage(f.code, correlationId, ctx.realm ? ctx.realmSegment : null);
    let occurrences: number | null = null;
    if (!verified) {
      const scope = tenantId ?? (ctx.realm?.kind === 'staff' ? 'staff' : '-');
      occurrences = await this.abuse.countFailure(scope, ctx.resolvedIdpId ?? '-', f.code);
      if (occurrences !== null && !isAuditedOccurrence(occurrences)) {
        this.logger.warn({ code: f.code, kind: method, tenantId, idpId, correlationId, occurrences }, `SSO sign-in refused: ${f.code} (aggregated)`);
        return page;
      }
    }
    this.logger.warn({ code: f.code, kind: method, tenantId, idpId, correlationId }, `SSO sign-in refused: ${f.code}`);
    const email = cleanText(ctx.identity?.email, AUDIT_CAPS.email);
    const record = () =>
      this.db.forTenants(tenantId ? [tenantId] : [], (em) =>
        this.events.emit(em, {
          tenantId,
          type: 'auth.sign_in_failed',
          subjectId: idpId,
          actor: {
            kind: 'anonymous',
            id: (verified && cleanText(ctx.identity!.subject, AUDIT_CAPS.subject)) || 'unknown',
            label: email ? `sign-in attempt as ${email}` : 'sign-in attempt',
          },
          payload: {
            method,
            ...(failureDetails(f) as { code: string; reason: string }),
            correlationId: correlationId ?? null,
            realm: ctx.realm?.kind ?? 'unknown',
            ...(occurrences !== null ? { occurrences, windowSeconds: SSO_FAILURE_WINDOW_SECONDS } : {}),
          },
        }),
      );
    // The row's user agent comes from the request context: normalised and capped like the rest.
    await (store ? TenantContext.run({ ...store, userAgent: cleanText(store.userAgent, AUDIT_CAPS.userAgent) }, record) : record());
    return page;
  }
}

/** Where a refused sign-in was headed: the URL's segments, and what the portal resolved and verified of them. */
export interface FailureContext {
  realm: Realm | null;
  realmSegment: string;
  idpId: string;
  /** The provider's id once the URL named an enabled provider of the realm. */
  resolvedIdpId?: string;
  /** The protocol segment of the URL: one of IDP_KINDS, or whatever a crafted link says (recorded as `unknown`). */
  kind: string;
  /** Set only once the provider's answer is verified. */
  identity?: Partial<SsoIdentity>;
}

/**
 * Why a sign-in through `idpId` may not take over the existing account with the asserted email, or null when an
 * admin's pending link allows it: that provider, not expired, and a provider that vouches for the address.
 */
function linkRefusal(account: SsoUserRow, idpId: string, emailVerified: boolean, now: Date): string | null {
  if (account.linkIdpConfigId === idpId) {
    if (!account.linkExpiresAt || account.linkExpiresAt.getTime() <= now.getTime())
      return 'a customer admin linked this account to this provider, but the link has expired; link it again';
    if (!emailVerified)
      return 'a customer admin linked this account to this provider, but the provider does not vouch for the email address; link it by subject';
    return null;
  }
  if (account.idpConfigId === idpId && account.idpSubject)
    return 'an account with this email is bound to another subject of this provider; a customer admin links it explicitly';
  if (account.idpSubject) return 'an account with this email is bound to another identity provider; a customer admin links it to this one explicitly';
  return 'an account with this email exists and is linked to no identity provider; a customer admin links it explicitly';
}
