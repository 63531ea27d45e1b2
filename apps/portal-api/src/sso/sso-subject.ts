import type { IdpSettings } from './sso.types';

/**
 * The subject an account is bound to: protocol, the trust anchor the configuration names, and the identifier
 * that provider asserts. Protocols live in separate namespaces, so a SAML entity id of `entra:<directory>` or one
 * equal to an OIDC issuer never yields another protocol's subject; the Entra authority (admin-chosen, with its
 * own keys) is part of the Entra subject. Accounts are found by (provider configuration, subject), never by the
 * subject alone.
 *
 *   saml:<IdP entity id>|<NameID>      oidc:<issuer>|<sub>      entra:<authority host>/<directory id>|<oid>
 */
export function ssoSubject(idp: IdpSettings, asserted: string): string {
  return namespaces(idp).current + asserted;
}

/**
 * The same subject as written before subjects were namespaced (`<entity id>|<NameID>`, `<issuer>|<sub>`,
 * `entra:<directory>|<oid>`): only used to adopt vendor staff rows bound before migration 1763900000006.
 */
export function legacySubject(idp: IdpSettings, subject: string): string | null {
  const { current, legacy } = namespaces(idp);
  return subject.startsWith(current) ? legacy + subject.slice(current.length) : null;
}

function namespaces(idp: IdpSettings): { current: string; legacy: string } {
  switch (idp.kind) {
    case 'saml':
      return { current: `saml:${idp.saml.idpEntityId}|`, legacy: `${idp.saml.idpEntityId}|` };
    case 'oidc':
      return { current: `oidc:${idp.oidc.issuer}|`, legacy: `${idp.oidc.issuer}|` };
    case 'entra':
      return { current: `entra:${new URL(idp.entra.cloudInstance).host}/${idp.entra.directoryId}|`, legacy: `entra:${idp.entra.directoryId}|` };
  }
}
