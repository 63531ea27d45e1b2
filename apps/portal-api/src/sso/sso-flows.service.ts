import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { TENANT_SLUG } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { EntraSignInService } from './entra-sign-in.service';
import { IdentityProvidersService } from './identity-providers.service';
import { OidcSignInService } from './oidc-sign-in.service';
import { safeReturnPath } from './return-path';
import { SamlSignInService } from './saml-sign-in.service';
import { SsoAbuseControls } from './sso-abuse';
import { providerErrorFailure, SsoSignInFailed } from './sso-errors';
import { SsoFlowStore } from './sso-flow.store';
import { FailureContext, SsoSignInService } from './sso-sign-in.service';
import { SsoUrls } from './sso-urls';
import { IDP_KINDS, type IdpKind, type ResolvedIdp, type SsoIdentity } from './sso.types';

type FlowContext = FailureContext & { kind: IdpKind };

/** What body-parser says when it cannot read a posted form (too large, bad charset or encoding, too many fields). */
export interface UnreadableBody {
  type?: string;
  status: number;
  limit?: number;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Of<K extends IdpKind> = ResolvedIdp & { kind: K } & Extract<ResolvedIdp, { kind: K }>;

/**
 * The browser-facing SSO use cases: start a sign-in, receive the provider's answer. Every outcome
 * is a redirect: to the provider, to the page the person wanted, or to the error page (after the
 * refusal is recorded in the governance trail).
 */
@Injectable()
export class SsoFlowsService {
  constructor(
    private readonly providers: IdentityProvidersService,
    private readonly flows: SsoFlowStore,
    private readonly saml: SamlSignInService,
    private readonly oidc: OidcSignInService,
    private readonly entra: EntraSignInService,
    private readonly signIn: SsoSignInService,
    private readonly abuse: SsoAbuseControls,
    private readonly urls: SsoUrls,
  ) {}

  /**
   * The rate limit of anonymous sign-in requests (start, callback, ACS) per client address. Over it, the answer is
   * 429 with Retry-After and a page that takes the browser to the SSO error page (`rate_limited`), like every
   * other refusal; the first refusal of a window is recorded (aggregated like other anonymous refusals).
   * Returns false when it answered.
   */
  async admit(req: Request, res: Response, at: { kind: string; realmSegment: string; idpId: string }): Promise<boolean> {
    const a = await this.abuse.admit(req);
    if (a.allowed) return true;
    const tenant = TENANT_SLUG.safeParse(at.realmSegment).success ? at.realmSegment : null;
    let page = this.urls.errorPage('rate_limited', TenantContext.maybeStore()?.requestId, tenant);
    if (a.firstRefusal) {
      const ctx: FlowContext = { realm: null, realmSegment: at.realmSegment, idpId: at.idpId, kind: at.kind as IdpKind };
      ctx.realm = await this.providers.realmOf(at.realmSegment).catch(() => null);
      page = await this.signIn.fail(
        res,
        new SsoSignInFailed(
          'rate_limited',
          `more than ${this.abuse.budget.points} sign-in requests from one client address within ${this.abuse.budget.durationSeconds} s`,
        ),
        ctx,
      );
    }
    res
      .status(429)
      .set('Retry-After', String(a.retryAfterSeconds))
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${escapeHtml(page)}">` +
          `<title>Too many sign-in attempts</title></head><body><p>Too many sign-in attempts from your network. ` +
          `<a href="${escapeHtml(page)}">Continue</a></p></body></html>`,
      );
    return false;
  }

  /**
   * A post to the ACS that body-parser could not read (larger than the body limit, unsupported charset or
   * encoding): refused like every other SAML answer, on the error page with a governance event.
   */
  async unreadableAcsPost(req: Request, res: Response, realmSegment: string, idpId: string, err: UnreadableBody): Promise<void> {
    if (!(await this.admit(req, res, { kind: 'saml', realmSegment, idpId }))) return;
    const ctx: FlowContext = { realm: null, realmSegment, idpId, kind: 'saml' };
    let location: string;
    try {
      await this.provider(ctx, 'saml');
      throw new SsoSignInFailed(
        'invalid_response',
        err.type === 'entity.too.large' || err.type === 'parameters.too.many'
          ? `the posted form is larger than the ${err.limit ? `${Math.round(err.limit / 1024)} KiB ` : ''}limit for a SAML response`
          : `the posted form could not be read (${String(err.type ?? err.status).slice(0, 40)})`,
      );
    } catch (e) {
      location = await this.signIn.fail(res, e, ctx);
    }
    res.redirect(303, location);
  }

  private async provider<K extends IdpKind>(ctx: FlowContext, kind: K): Promise<Of<K>> {
    if (!IDP_KINDS.includes(kind)) throw new SsoSignInFailed('unknown_provider', `unknown protocol "${String(kind).slice(0, 20)}"`);
    ctx.realm = await this.providers.realmOf(ctx.realmSegment);
    if (!ctx.realm) throw new SsoSignInFailed('unknown_provider', `no tenant "${ctx.realmSegment.slice(0, 63)}"`);
    const idp = (await this.providers.resolve(ctx.realm, ctx.idpId, kind)) as Of<K>;
    ctx.resolvedIdpId = idp.id;
    return idp;
  }

  async samlMetadata(realmSegment: string, idpId: string): Promise<string | null> {
    try {
      return this.saml.metadata(await this.provider({ realm: null, realmSegment, idpId, kind: 'saml' }, 'saml'));
    } catch (e) {
      if (e instanceof SsoSignInFailed && e.code === 'unknown_provider') return null;
      throw e;
    }
  }

  async start(res: Response, kind: string, realmSegment: string, idpId: string, returnTo: unknown): Promise<string> {
    const ctx: FlowContext = { realm: null, realmSegment, idpId, kind: kind as IdpKind };
    try {
      const path = safeReturnPath(returnTo);
      const started =
        kind === 'saml'
          ? await this.saml.start(await this.provider(ctx, 'saml'), path)
          : kind === 'oidc'
            ? await this.oidc.start(await this.provider(ctx, 'oidc'), path)
            : await this.entra.start(await this.provider(ctx, kind as 'entra'), path);
      this.signIn.setFlowCookie(res, started.flow);
      return started.url;
    } catch (e) {
      return this.signIn.fail(res, e, ctx);
    }
  }

  /** SAML HTTP-POST binding: the browser posts the IdP's response here. */
  async samlAcs(req: Request, res: Response, realmSegment: string, idpId: string, body: Record<string, unknown>): Promise<string> {
    const ctx: FlowContext = { realm: null, realmSegment, idpId, kind: 'saml' };
    try {
      const idp = await this.provider(ctx, 'saml');
      const { identity, flow, relayState } = await this.saml.finish(idp, body ?? {});
      ctx.identity = identity;
      this.signIn.checkFlowCookie(req, 'saml', relayState);
      return await this.signIn.complete(req, res, idp, identity, flow);
    } catch (e) {
      return this.signIn.fail(res, e, ctx);
    }
  }

  /** OIDC / Entra redirect back: the state must be this browser's flow, for this provider. */
  async callback(req: Request, res: Response, kind: 'oidc' | 'entra', realmSegment: string, idpId: string): Promise<string> {
    const ctx: FlowContext = { realm: null, realmSegment, idpId, kind };
    try {
      const idp = await this.provider(ctx, kind);
      const q = req.query as Record<string, unknown>;
      const state = typeof q.state === 'string' ? q.state : '';
      if (!state) throw new SsoSignInFailed('state_mismatch', 'the answer carries no state');
      this.signIn.checkFlowCookie(req, kind, state);
      const flow = await this.flows.take(state);
      if (!flow) throw new SsoSignInFailed('flow_expired', 'no sign-in in progress for this state (expired or already used)');
      if (flow.kind !== kind || flow.idpId !== idp.id || flow.realmSegment !== idp.realmSegment) {
        throw new SsoSignInFailed(
          'wrong_tenant',
          `the answer belongs to a sign-in started for ${flow.realmSegment === idp.realmSegment ? 'another provider' : 'another tenant'}`,
        );
      }
      if (typeof q.error === 'string')
        throw providerErrorFailure(q.error.slice(0, 100), typeof q.error_description === 'string' ? q.error_description.slice(0, 1000) : '');
      let identity: SsoIdentity;
      if (idp.kind === 'oidc') identity = await this.oidc.finish(idp, req.originalUrl, flow);
      else {
        if (typeof q.code !== 'string' || !q.code) throw new SsoSignInFailed('invalid_response', 'the answer carries no authorization code');
        identity = await this.entra.finish(idp, q.code, flow);
      }
      ctx.identity = identity;
      return await this.signIn.complete(req, res, idp, identity, flow);
    } catch (e) {
      return this.signIn.fail(res, e, ctx);
    }
  }
}
