import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EntraSignInService } from './entra-sign-in.service';
import { IdentityProvidersService } from './identity-providers.service';
import { OidcSignInService } from './oidc-sign-in.service';
import { safeReturnPath } from './return-path';
import { SamlSignInService } from './saml-sign-in.service';
import { providerErrorFailure, SsoSignInFailed } from './sso-errors';
import { SsoFlowStore } from './sso-flow.store';
import { SsoSignInService } from './sso-sign-in.service';
import { IDP_KINDS, type IdpKind, type Realm, type ResolvedIdp, type SsoIdentity } from './sso.types';

interface FlowContext {
  realm: Realm | null;
  realmSegment: string;
  idpId: string;
  kind: IdpKind;
  identity?: Partial<SsoIdentity>;
}

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
  ) {}

  private async provider<K extends IdpKind>(ctx: FlowContext, kind: K): Promise<Of<K>> {
    if (!IDP_KINDS.includes(kind)) throw new SsoSignInFailed('unknown_provider', `unknown protocol "${String(kind).slice(0, 20)}"`);
    ctx.realm = await this.providers.realmOf(ctx.realmSegment);
    if (!ctx.realm) throw new SsoSignInFailed('unknown_provider', `no tenant "${ctx.realmSegment.slice(0, 63)}"`);
    return (await this.providers.resolve(ctx.realm, ctx.idpId, kind)) as Of<K>;
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
