import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { ApiFieldError } from '@portal/contracts';
import { ValidationFailed } from '../common/domain-errors';
import { normalizeCertificate, parseIdpMetadata, SamlMetadataInvalid } from './saml-metadata';
import type { SsoHttp } from './sso-http';
import { SsoUrlRefused } from './sso-http';
import type { EntraSettings, IdpSecret, OidcSettings, SamlSettings } from './sso.types';

export const ENTRA_PUBLIC_CLOUD = 'https://login.microsoftonline.com';
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

export interface SamlInput {
  metadataUrl?: string;
  metadataXml?: string;
  entityId?: string;
  ssoUrl?: string;
  certificate?: string;
  emailAttribute?: string | null;
  nameAttribute?: string | null;
}
export interface OidcInput {
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
}
export interface EntraInput {
  directoryId?: string;
  clientId?: string;
  clientSecret?: string;
  certificate?: { certificatePem: string; privateKeyPem: string };
  cloudInstance?: string;
}

const invalid = (field: string, message: string) => new ValidationFailed([{ field, message }]);

function checkUrl(http: SsoHttp, field: string, url: string): string {
  try {
    return http.checkUrl(url).toString();
  } catch (e) {
    if (e instanceof SsoUrlRefused) throw invalid(field, e.message);
    throw e;
  }
}

/**
 * SAML settings from metadata (URL or document) or from the three values by hand; `previous`
 * fills what an update leaves out. The metadata URL is fetched now, through the SSRF-guarded agents.
 */
export async function buildSamlSettings(input: SamlInput, previous: SamlSettings | null, http: SsoHttp, prefix = 'saml'): Promise<SamlSettings> {
  const manual = input.entityId !== undefined || input.ssoUrl !== undefined || input.certificate !== undefined;
  if ((input.metadataUrl || input.metadataXml) && manual) {
    throw invalid(`${prefix}.metadataUrl`, 'give the metadata or the entity ID, SSO URL and certificate, not both');
  }
  if (input.metadataUrl && input.metadataXml) throw invalid(`${prefix}.metadataXml`, 'give the metadata URL or the metadata document, not both');
  let fromMetadata: { entityId: string; ssoUrl: string; certificates: string[] } | null = null;
  // Values typed by hand replace whatever the metadata URL said; it is no longer their source.
  let metadataUrl = manual ? null : (previous?.metadataUrl ?? null);
  if (input.metadataUrl) {
    const url = checkUrl(http, `${prefix}.metadataUrl`, input.metadataUrl);
    let xml: string;
    try {
      const res = await http.request('GET', url, { headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' }, maxBytes: 1024 * 1024 });
      if (res.status !== 200) throw new Error(`the server answered ${res.status}`);
      xml = res.body;
    } catch (e) {
      throw invalid(`${prefix}.metadataUrl`, `could not be fetched: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      fromMetadata = parseIdpMetadata(xml);
    } catch (e) {
      if (e instanceof SamlMetadataInvalid) throw invalid(`${prefix}.metadataUrl`, `the metadata ${e.message}`);
      throw e;
    }
    metadataUrl = url;
  } else if (input.metadataXml) {
    try {
      fromMetadata = parseIdpMetadata(input.metadataXml);
    } catch (e) {
      if (e instanceof SamlMetadataInvalid) throw invalid(`${prefix}.metadataXml`, `the metadata ${e.message}`);
      throw e;
    }
    metadataUrl = null;
  }
  const fields: ApiFieldError[] = [];
  let entityId = fromMetadata?.entityId ?? input.entityId?.trim() ?? previous?.idpEntityId;
  let ssoUrl = fromMetadata?.ssoUrl ?? input.ssoUrl ?? previous?.ssoUrl;
  let certificates = fromMetadata?.certificates ?? previous?.certificates;
  if (!fromMetadata && input.certificate !== undefined) {
    try {
      certificates = [normalizeCertificate(input.certificate)];
    } catch (e) {
      fields.push({ field: `${prefix}.certificate`, message: e instanceof SamlMetadataInvalid ? e.message : 'is not a certificate' });
    }
  }
  if (!entityId) fields.push({ field: `${prefix}.entityId`, message: 'is required (or give the IdP metadata)' });
  if (!ssoUrl) fields.push({ field: `${prefix}.ssoUrl`, message: 'is required (or give the IdP metadata)' });
  if (!certificates?.length && !fields.some((f) => f.field.endsWith('.certificate')))
    fields.push({ field: `${prefix}.certificate`, message: 'is required (or give the IdP metadata)' });
  if (fields.length) throw new ValidationFailed(fields);
  ssoUrl = checkUrl(http, `${prefix}.${fromMetadata ? (input.metadataUrl ? 'metadataUrl' : 'metadataXml') : 'ssoUrl'}`, ssoUrl!);
  entityId = entityId!;
  return {
    idpEntityId: entityId,
    ssoUrl,
    certificates: certificates!,
    metadataUrl,
    emailAttribute: input.emailAttribute !== undefined ? input.emailAttribute : (previous?.emailAttribute ?? null),
    nameAttribute: input.nameAttribute !== undefined ? input.nameAttribute : (previous?.nameAttribute ?? null),
  };
}

export function buildOidcSettings(
  input: OidcInput,
  previous: { settings: OidcSettings; secret: IdpSecret | null } | null,
  http: SsoHttp,
  prefix = 'oidc',
): { settings: OidcSettings; secret: IdpSecret } {
  const issuerRaw = input.issuer ?? previous?.settings.issuer;
  const clientId = input.clientId ?? previous?.settings.clientId;
  const clientSecret = input.clientSecret ?? previous?.secret?.clientSecret;
  const fields: ApiFieldError[] = [];
  if (!issuerRaw) fields.push({ field: `${prefix}.issuer`, message: 'is required' });
  if (!clientId) fields.push({ field: `${prefix}.clientId`, message: 'is required' });
  if (!clientSecret) fields.push({ field: `${prefix}.clientSecret`, message: 'is required' });
  if (fields.length) throw new ValidationFailed(fields);
  checkUrl(http, `${prefix}.issuer`, issuerRaw!);
  const scopes = [...new Set(['openid', ...(input.scopes ?? previous?.settings.scopes ?? DEFAULT_SCOPES)])];
  // The issuer is kept exactly as typed: it must equal the provider's `iss` claim, trailing slash included.
  return { settings: { issuer: issuerRaw!.trim(), clientId: clientId!, scopes }, secret: { clientSecret: clientSecret! } };
}

export function buildEntraSettings(
  input: EntraInput,
  previous: { settings: EntraSettings; secret: IdpSecret | null } | null,
  http: SsoHttp,
  prefix = 'entra',
): { settings: EntraSettings; secret: IdpSecret } {
  const directoryId = (input.directoryId ?? previous?.settings.directoryId)?.toLowerCase();
  const clientId = (input.clientId ?? previous?.settings.clientId)?.toLowerCase();
  const cloudInstance = checkUrl(http, `${prefix}.cloudInstance`, input.cloudInstance ?? previous?.settings.cloudInstance ?? ENTRA_PUBLIC_CLOUD).replace(
    /\/+$/,
    '',
  );
  if (new URL(cloudInstance).pathname !== '/')
    throw invalid(`${prefix}.cloudInstance`, 'must be the cloud instance only, such as https://login.microsoftonline.com');
  const fields: ApiFieldError[] = [];
  if (!directoryId) fields.push({ field: `${prefix}.directoryId`, message: 'is required' });
  if (!clientId) fields.push({ field: `${prefix}.clientId`, message: 'is required' });
  if (input.clientSecret && input.certificate) fields.push({ field: `${prefix}.certificate`, message: 'give a client secret or a certificate, not both' });
  let credential: EntraSettings['credential'] | null = previous?.settings.credential ?? null;
  let secret: IdpSecret | null = previous?.secret ?? null;
  let certificatePem = previous?.settings.certificatePem ?? null;
  let thumbprint = previous?.settings.certificateThumbprintSha256 ?? null;
  if (input.clientSecret) {
    credential = 'secret';
    secret = { clientSecret: input.clientSecret };
    certificatePem = null;
    thumbprint = null;
  } else if (input.certificate) {
    try {
      certificatePem = normalizeCertificate(input.certificate.certificatePem);
    } catch {
      fields.push({ field: `${prefix}.certificate.certificatePem`, message: 'is not a PEM X.509 certificate' });
    }
    let privateKeyPem: string | null = null;
    try {
      const key = createPrivateKey(input.certificate.privateKeyPem);
      privateKeyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
      if (certificatePem) {
        const certKey = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
        if (!createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(certKey)) {
          fields.push({ field: `${prefix}.certificate.privateKeyPem`, message: 'does not belong to the certificate' });
        }
      }
    } catch {
      fields.push({ field: `${prefix}.certificate.privateKeyPem`, message: 'is not a PEM private key (unencrypted PKCS#8 or PKCS#1)' });
    }
    credential = 'certificate';
    secret = privateKeyPem ? { privateKeyPem } : null;
    thumbprint = certificatePem ? new X509Certificate(certificatePem).fingerprint256.replace(/:/g, '') : null;
  }
  if (!credential || !secret) fields.push({ field: `${prefix}.clientSecret`, message: 'is required (or a certificate)' });
  if (fields.length) throw new ValidationFailed(fields);
  return {
    settings: {
      directoryId: directoryId!,
      clientId: clientId!,
      cloudInstance,
      credential: credential!,
      certificatePem,
      certificateThumbprintSha256: thumbprint,
    },
    secret: secret!,
  };
}
