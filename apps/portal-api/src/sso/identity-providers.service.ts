import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { TENANT_SLUG } from '@portal/contracts';
import { Accounts } from '../auth/accounts.service';
import { Clock } from '../common/clock';
import { Conflict, NotFound, ValidationFailed } from '../common/domain-errors';
import { ConfigInvalid, PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import { Db } from '../database/db.service';
import { DomainEvents } from '../events/domain-events.service';
import { TenantDirectory } from '../tenants/tenant-directory.service';
import type { SignInProvider } from '../auth/sign-in-options.service';
import { CreateIdentityProviderInput, LinkAccountInput, staffProviderSchema, UpdateIdentityProviderInput } from './dto/identity-provider.dto';
import { IdentityProvidersRepository } from './identity-providers.repository';
import { buildEntraSettings, buildOidcSettings, buildSamlSettings } from './idp-settings';
import { describeCertificate } from './saml-metadata';
import { openSecret, sealSecret } from './secret-box';
import { SsoSignInFailed } from './sso-errors';
import { SsoHttp } from './sso-http';
import { ssoSubject } from './sso-subject';
import { SsoUrls } from './sso-urls';
import { IdpKind, IdpSecret, IdpSettings, Realm, ResolvedIdp, STAFF_REALM, TenantIdpConfig } from './sso.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const secretAad = (tenantId: string, id: string) => `idp_configs:${tenantId}:${id}`;
/** How long a link waiting for the provider's next verified sign-in stays usable. */
export const PENDING_LINK_DAYS = 7;
const KIND_NAME: Record<IdpKind, string> = { saml: 'SAML', oidc: 'OpenID Connect', entra: 'Microsoft Entra ID' };

/**
 * Identity-provider configurations: a tenant's (managed by its customer_admin through the API,
 * every change a governance event) and the vendor's own for staff (deployment configuration,
 * SSO_STAFF_PROVIDERS: staff reach every tenant, so that trust anchor is not editable at run time).
 */
@Injectable()
export class IdentityProvidersService implements OnModuleInit {
  private readonly keys: Map<string, Buffer>;
  private staff = new Map<string, ResolvedIdp>();

  constructor(
    private readonly db: Db,
    private readonly repo: IdentityProvidersRepository,
    private readonly tenants: TenantDirectory,
    private readonly events: DomainEvents,
    private readonly accounts: Accounts,
    private readonly http: SsoHttp,
    private readonly urls: SsoUrls,
    private readonly clock: Clock,
    @Inject(PORTAL_CONFIG) private readonly config: PortalConfig,
  ) {
    this.keys = new Map([[config.secretKeyId, config.secretKey]]);
  }

  /** Validates SSO_STAFF_PROVIDERS at start-up: a broken staff sign-in refuses to boot rather than fail later. */
  async onModuleInit(): Promise<void> {
    const staff = new Map<string, ResolvedIdp>();
    for (const [i, raw] of this.config.sso.staffProviders.entries()) {
      const parsed = staffProviderSchema.safeParse(raw);
      if (!parsed.success) {
        throw new ConfigInvalid(`SSO_STAFF_PROVIDERS[${i}]: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      }
      const p = parsed.data;
      if (staff.has(p.id)) throw new ConfigInvalid(`SSO_STAFF_PROVIDERS[${i}]: duplicate id ${p.id}`);
      try {
        let settings: IdpSettings;
        let secret: IdpSecret = {};
        if (p.kind === 'saml') settings = { kind: 'saml', saml: await buildSamlSettings(p.saml, null, this.http) };
        else if (p.kind === 'oidc') {
          const b = buildOidcSettings(p.oidc, null, this.http);
          settings = { kind: 'oidc', oidc: b.settings };
          secret = b.secret;
        } else {
          const b = buildEntraSettings(p.entra, null, this.http);
          settings = { kind: 'entra', entra: b.settings };
          secret = b.secret;
        }
        const now = this.clock.now().toISOString();
        staff.set(p.id, {
          ...settings,
          id: p.id,
          displayName: p.displayName,
          enabled: p.enabled,
          jitProvisioning: p.jitProvisioning,
          roleMapping: p.roleMapping,
          hasSecret: Object.keys(secret).length > 0,
          createdAt: now,
          updatedAt: now,
          realm: { kind: 'staff' },
          realmSegment: STAFF_REALM,
          secret,
        });
      } catch (e) {
        if (e instanceof ValidationFailed) throw new ConfigInvalid(`SSO_STAFF_PROVIDERS[${i}] (${p.id}): ${e.message}`);
        throw e;
      }
    }
    this.staff = staff;
  }

  // ---- the admin API (customer_admin of the tenant) ----

  async list(tenantId: string) {
    return this.db.tx(async (em) => {
      const slug = await this.slugOf(em, tenantId);
      return (await this.repo.list(em, tenantId)).map((c) => this.view(c, slug));
    });
  }

  async get(tenantId: string, id: string) {
    return this.db.tx(async (em) => {
      const c = await this.repo.find(em, tenantId, id);
      if (!c) throw new NotFound('identity provider not found');
      return this.view(c, await this.slugOf(em, tenantId));
    });
  }

  async create(tenantId: string, input: CreateIdentityProviderInput, actor: string) {
    const id = randomUUID();
    const { settings, secret } = await this.buildSettings(input, null);
    return this.db.tx(async (em) => {
      const sealed = secret ? sealSecret(JSON.stringify(secret), this.config.secretKey, this.config.secretKeyId, secretAad(tenantId, id)) : null;
      const c = await this.repo.insert(em, {
        id,
        tenantId,
        kind: input.kind,
        displayName: input.displayName,
        enabled: input.enabled,
        jitProvisioning: input.jitProvisioning,
        settings: settingsOf(settings),
        roleMapping: input.roleMapping,
        secretCiphertext: sealed?.ciphertext ?? null,
        secretKeyId: sealed?.keyId ?? null,
        actor,
        now: this.clock.now(),
      });
      await this.events.emit(em, {
        tenantId,
        type: 'sso.idp_created',
        subjectId: id,
        payload: { kind: c.kind, displayName: c.displayName, enabled: c.enabled, secretSet: !!sealed, roleMapping: c.roleMapping },
      });
      return this.view(c, await this.slugOf(em, tenantId));
    });
  }

  async update(tenantId: string, id: string, input: UpdateIdentityProviderInput, actor: string) {
    const current = await this.db.tx((em) => this.repo.find(em, tenantId, id));
    if (!current) throw new NotFound('identity provider not found');
    const wrongKind = (['saml', 'oidc', 'entra'] as const).filter((k) => k !== current.kind && input[k] !== undefined);
    if (wrongKind.length)
      throw new ValidationFailed(wrongKind.map((k) => ({ field: k, message: `does not apply to this ${current.kind.toUpperCase()} provider` })));
    const changed = Object.entries(input).flatMap(([k, v]) =>
      v && typeof v === 'object' && !Array.isArray(v) && k !== 'roleMapping' ? Object.keys(v).map((s) => `${k}.${s}`) : [k],
    );
    let settings: IdpSettings = current;
    let secret: IdpSecret | null | undefined; // undefined: unchanged
    const kindInput = input[current.kind];
    if (kindInput) {
      let previousSecret: IdpSecret | null = null;
      try {
        previousSecret = current.kind === 'saml' ? null : this.openTenantSecret(current);
      } catch {
        previousSecret = null; // sealed with a key this deployment lacks: the admin must enter the secret again
      }
      const built = await this.buildSettings({ kind: current.kind, [current.kind]: kindInput } as never, { current, secret: previousSecret });
      settings = built.settings;
      const secretChanged = JSON.stringify(built.secret) !== JSON.stringify(previousSecret);
      secret = secretChanged ? built.secret : undefined;
    }
    return this.db.tx(async (em) => {
      const sealed = secret ? sealSecret(JSON.stringify(secret), this.config.secretKey, this.config.secretKeyId, secretAad(tenantId, id)) : null;
      const c = await this.repo.update(em, {
        id,
        tenantId,
        kind: current.kind,
        displayName: input.displayName ?? current.displayName,
        enabled: input.enabled ?? current.enabled,
        jitProvisioning: input.jitProvisioning ?? current.jitProvisioning,
        settings: settingsOf(settings),
        roleMapping: input.roleMapping ?? current.roleMapping,
        secretCiphertext: secret === undefined ? current.secretCiphertext : (sealed?.ciphertext ?? null),
        secretKeyId: secret === undefined ? current.secretKeyId : (sealed?.keyId ?? null),
        actor,
        now: this.clock.now(),
      });
      if (!c) throw new NotFound('identity provider not found');
      await this.events.emit(em, {
        tenantId,
        type: 'sso.idp_updated',
        subjectId: id,
        // Which fields changed, never their secret values.
        payload: { kind: c.kind, displayName: c.displayName, changed, secretChanged: secret !== undefined, enabled: c.enabled },
      });
      return this.view(c, await this.slugOf(em, tenantId));
    });
  }

  async remove(tenantId: string, id: string) {
    return this.db.tx(async (em) => {
      const c = await this.repo.delete(em, tenantId, id);
      if (!c) throw new NotFound('identity provider not found');
      await this.events.emit(em, { tenantId, type: 'sso.idp_deleted', subjectId: id, payload: { kind: c.kind, displayName: c.displayName } });
      return { deleted: true, id };
    });
  }

  /**
   * Links an existing account to this provider, the one way an account reaches a provider that did not create
   * it. With a subject (what the provider asserts: NameID, `sub`, Entra object id) the binding moves at once;
   * without one, the provider's next sign-in that vouches for the account's email (OIDC `email_verified`) binds
   * it, within PENDING_LINK_DAYS. SAML and Entra ID never vouch for an email, so they need the subject.
   */
  async link(tenantId: string, id: string, input: LinkAccountInput) {
    return this.db.tx(async (em) => {
      const c = await this.repo.find(em, tenantId, id);
      if (!c) throw new NotFound('identity provider not found');
      const user = input.userId
        ? await this.accounts.findUserById(em, tenantId, input.userId)
        : await this.accounts.findUserByEmail(em, tenantId, input.email!);
      if (!user) throw new NotFound(`no account with this ${input.userId ? 'id' : 'email'} in this tenant`);
      if (input.subject === undefined && c.kind !== 'oidc') {
        throw new ValidationFailed([
          {
            field: 'subject',
            message: `is required for a ${KIND_NAME[c.kind]} provider, which does not vouch for email addresses: give the ${c.kind === 'saml' ? 'NameID' : 'object id (oid)'} it asserts for this person`,
          },
        ]);
      }
      const subject = input.subject === undefined ? null : ssoSubject(c, input.subject);
      if (subject) {
        const holder = await this.accounts.findUserBySubject(em, tenantId, c.id, subject);
        if (holder && holder.id !== user.id) throw new Conflict('another account of this tenant is bound to this subject of this provider');
      }
      const expiresAt = subject ? null : new Date(this.clock.now().getTime() + PENDING_LINK_DAYS * 86_400_000);
      await this.accounts.linkSsoUser(em, { tenantId, userId: user.id, idpConfigId: c.id, subject, expiresAt });
      const mode = subject ? ('subject' as const) : ('next_verified_sign_in' as const);
      await this.events.emit(em, {
        tenantId,
        type: 'sso.account_linked',
        subjectId: user.id,
        payload: {
          idpId: c.id,
          kind: c.kind,
          displayName: c.displayName,
          email: user.email,
          mode,
          subject: input.subject ?? null,
          previousIdpId: user.idpConfigId,
          expiresAt: expiresAt?.toISOString() ?? null,
        },
      });
      return { userId: user.id, email: user.email, idpId: c.id, mode, expiresAt: expiresAt?.toISOString() ?? null };
    });
  }

  // ---- the sign-in side (public routes) ----

  /** The realm a URL segment names: a tenant slug, or `_staff` for the vendor's own providers. */
  async realmOf(segment: string): Promise<Realm | null> {
    if (segment === STAFF_REALM) return { kind: 'staff' };
    if (!TENANT_SLUG.safeParse(segment).success) return null;
    const tenant = await this.tenants.findBySlug(segment);
    return tenant ? { kind: 'tenant', tenant } : null;
  }

  /** The provider a sign-in URL names, with its secret opened; `unknown_provider` when absent, disabled or of another kind. */
  async resolve(realm: Realm, idpId: string, kind: IdpKind): Promise<ResolvedIdp> {
    if (realm.kind === 'staff') {
      const p = this.staff.get(idpId);
      if (!p || p.kind !== kind || !p.enabled) throw new SsoSignInFailed('unknown_provider', `no enabled ${kind} staff provider "${idpId.slice(0, 40)}"`);
      return p;
    }
    const tenantId = realm.tenant.id;
    const c = UUID.test(idpId) ? await this.db.forTenants([tenantId], (em) => this.repo.find(em, tenantId, idpId.toLowerCase())) : null;
    if (!c || c.kind !== kind) throw new SsoSignInFailed('unknown_provider', `no ${kind} identity provider ${idpId.slice(0, 40)} in this tenant`);
    if (!c.enabled) throw new SsoSignInFailed('unknown_provider', `identity provider ${c.id} (${c.displayName}) is disabled`);
    let secret: IdpSecret;
    try {
      secret = this.openTenantSecret(c) ?? {};
    } catch (e) {
      throw new SsoSignInFailed('provider_misconfigured', `the provider's secret cannot be opened: ${e instanceof Error ? e.message : 'unknown error'}`);
    }
    const { secretCiphertext: _c, secretKeyId: _k, tenantId: _t, createdBy: _cb, updatedBy: _ub, ...rest } = c;
    return { ...rest, realm, realmSegment: realm.tenant.slug, secret };
  }

  /** The sign-in page's buttons for a tenant (SignInProviderSource). */
  async providersFor(tenantId: string): Promise<SignInProvider[]> {
    return this.db.forTenants([tenantId], async (em) => {
      const slug = await this.slugOf(em, tenantId);
      return (await this.repo.list(em, tenantId))
        .filter((c) => c.enabled)
        .map((c) => ({ id: c.id, kind: c.kind, displayName: c.displayName, startUrl: this.urls.start(c.kind, slug, c.id) }));
    });
  }

  staffProviders(): SignInProvider[] {
    return [...this.staff.values()]
      .filter((p) => p.enabled)
      .map((p) => ({ id: p.id, kind: p.kind, displayName: p.displayName, startUrl: this.urls.start(p.kind, STAFF_REALM, p.id) }));
  }

  private openTenantSecret(c: TenantIdpConfig): IdpSecret | null {
    if (!c.secretCiphertext || !c.secretKeyId) return null;
    return JSON.parse(openSecret({ ciphertext: c.secretCiphertext, keyId: c.secretKeyId }, this.keys, secretAad(c.tenantId, c.id))) as IdpSecret;
  }

  private async slugOf(em: Parameters<TenantDirectory['findById']>[0], tenantId: string): Promise<string> {
    const t = await this.tenants.findById(em, tenantId);
    if (!t) throw new NotFound('tenant not found');
    return t.slug;
  }

  private async buildSettings(
    input: CreateIdentityProviderInput,
    previous: { current: TenantIdpConfig; secret: IdpSecret | null } | null,
  ): Promise<{ settings: IdpSettings; secret: IdpSecret | null }> {
    const prev = previous?.current;
    if (input.kind === 'saml') {
      return { settings: { kind: 'saml', saml: await buildSamlSettings(input.saml, prev?.kind === 'saml' ? prev.saml : null, this.http) }, secret: null };
    }
    if (input.kind === 'oidc') {
      const b = buildOidcSettings(input.oidc, prev?.kind === 'oidc' ? { settings: prev.oidc, secret: previous!.secret } : null, this.http);
      return { settings: { kind: 'oidc', oidc: b.settings }, secret: b.secret };
    }
    const b = buildEntraSettings(input.entra, prev?.kind === 'entra' ? { settings: prev.entra, secret: previous!.secret } : null, this.http);
    return { settings: { kind: 'entra', entra: b.settings }, secret: b.secret };
  }

  /** What the API shows: settings, what to register at the IdP, and no secret (only whether one is set). */
  view(c: TenantIdpConfig, slug: string) {
    const base = {
      id: c.id,
      kind: c.kind,
      displayName: c.displayName,
      enabled: c.enabled,
      jitProvisioning: c.jitProvisioning,
      roleMapping: c.roleMapping,
      startUrl: this.urls.start(c.kind, slug, c.id),
      createdAt: c.createdAt,
      createdBy: c.createdBy,
      updatedAt: c.updatedAt,
      updatedBy: c.updatedBy,
    };
    if (c.kind === 'saml') {
      return {
        ...base,
        saml: {
          idpEntityId: c.saml.idpEntityId,
          ssoUrl: c.saml.ssoUrl,
          metadataUrl: c.saml.metadataUrl,
          emailAttribute: c.saml.emailAttribute,
          nameAttribute: c.saml.nameAttribute,
          certificates: c.saml.certificates.map(describeCertificate),
        },
        serviceProvider: {
          entityId: this.urls.samlEntityId(slug, c.id),
          acsUrl: this.urls.samlAcs(slug, c.id),
          metadataUrl: this.urls.samlEntityId(slug, c.id),
        },
      };
    }
    if (c.kind === 'oidc') {
      return {
        ...base,
        oidc: { issuer: c.oidc.issuer, clientId: c.oidc.clientId, scopes: c.oidc.scopes, hasClientSecret: c.hasSecret },
        serviceProvider: { redirectUri: this.urls.redirectUri('oidc', slug, c.id) },
      };
    }
    return {
      ...base,
      entra: {
        directoryId: c.entra.directoryId,
        clientId: c.entra.clientId,
        cloudInstance: c.entra.cloudInstance,
        credential: c.entra.credential,
        hasClientSecret: c.hasSecret && c.entra.credential === 'secret',
        hasCertificate: c.hasSecret && c.entra.credential === 'certificate',
        certificate: c.entra.certificatePem ? { ...describeCertificate(c.entra.certificatePem), thumbprintSha256: c.entra.certificateThumbprintSha256 } : null,
      },
      serviceProvider: { redirectUri: this.urls.redirectUri('entra', slug, c.id) },
    };
  }
}

function settingsOf(s: IdpSettings): unknown {
  return s.kind === 'saml' ? s.saml : s.kind === 'oidc' ? s.oidc : s.entra;
}
