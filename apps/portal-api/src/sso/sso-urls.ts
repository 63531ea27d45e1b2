import { Inject, Injectable } from '@nestjs/common';
import { PORTAL_CONFIG, PortalConfig } from '../config/portal-config';
import type { IdpKind } from './sso.types';

/**
 * The portal's own SSO addresses. Absolute ones (entity ID, ACS, redirect URI) are built from the
 * configured public URL, never from the request's Host header, so they are what admins register.
 */
@Injectable()
export class SsoUrls {
  readonly base: string;
  constructor(@Inject(PORTAL_CONFIG) config: PortalConfig) {
    this.base = (config.publicUrl ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`).replace(/\/+$/, '');
  }
  start(kind: IdpKind, realm: string, id: string): string {
    return `/sso/${kind}/${encodeURIComponent(realm)}/${encodeURIComponent(id)}/start`;
  }
  samlEntityId(realm: string, id: string): string {
    return `${this.base}/sso/saml/${realm}/${id}/metadata`;
  }
  samlAcs(realm: string, id: string): string {
    return `${this.base}/sso/saml/${realm}/${id}/acs`;
  }
  redirectUri(kind: 'oidc' | 'entra', realm: string, id: string): string {
    return `${this.base}/sso/${kind}/${realm}/${id}/callback`;
  }
  errorPage(code: string, correlationId: string | undefined, realm: string | null): string {
    const q = new URLSearchParams({ code, ...(correlationId ? { cid: correlationId } : {}), ...(realm && realm !== '_staff' ? { tenant: realm } : {}) });
    return `/sign-in/error?${q.toString()}`;
  }
}
