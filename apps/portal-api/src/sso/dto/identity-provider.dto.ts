import { z } from 'zod';
import { TENANT_ROLES, VENDOR_ROLES } from '@portal/contracts';

const displayName = z.string().trim().min(1, 'is required').max(100, 'at most 100 characters');
const secret = z.string().min(1, 'is required').max(4000, 'is too long');
const pem = z.string().trim().min(1, 'is required').max(20_000, 'is too long');
const httpUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(2000)
  .pipe(z.url({ message: 'must be a URL', protocol: /^https?$/ }));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const roleMappingSchema = <R extends readonly [string, ...string[]]>(roles: R) =>
  z.strictObject({
    claim: z.string().trim().min(1, 'is required').max(300),
    rules: z.array(z.strictObject({ value: z.string().trim().min(1, 'is required').max(500), role: z.enum(roles) })).max(100, 'at most 100 rules'),
    defaultRole: z.enum(roles).nullable().default(null),
  });

const samlFields = z.strictObject({
  /** Where the IdP publishes its metadata (fetched when the configuration is saved). */
  metadataUrl: httpUrl.optional(),
  /** Or the metadata document itself. */
  metadataXml: z.string().min(1).max(500_000, 'is larger than 500 kB').optional(),
  /** Or the three values by hand. */
  entityId: z.string().trim().min(1).max(1000).optional(),
  ssoUrl: httpUrl.optional(),
  certificate: pem.optional(),
  emailAttribute: z.string().trim().min(1).max(300).nullable().optional(),
  nameAttribute: z.string().trim().min(1).max(300).nullable().optional(),
});

const oidcFields = z.strictObject({
  issuer: httpUrl,
  clientId: z.string().trim().min(1, 'is required').max(300),
  /** Write-only: never returned (the API answers hasClientSecret). */
  clientSecret: secret.optional(),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'must be a scope name'))
    .max(20)
    .optional(),
});

const entraFields = z.strictObject({
  directoryId: z.string().trim().regex(GUID, 'must be the Directory (tenant) ID, a GUID'),
  clientId: z.string().trim().regex(GUID, 'must be the Application (client) ID, a GUID'),
  clientSecret: secret.optional(),
  certificate: z.strictObject({ certificatePem: pem, privateKeyPem: pem }).optional(),
  cloudInstance: httpUrl.optional(),
});

const common = {
  displayName,
  enabled: z.boolean().default(true),
  jitProvisioning: z.boolean().default(true),
};

/** Creating a tenant's identity provider (customer_admin). */
export const createIdentityProviderSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('saml'), ...common, roleMapping: roleMappingSchema(TENANT_ROLES), saml: samlFields }),
  z.strictObject({ kind: z.literal('oidc'), ...common, roleMapping: roleMappingSchema(TENANT_ROLES), oidc: oidcFields }),
  z.strictObject({ kind: z.literal('entra'), ...common, roleMapping: roleMappingSchema(TENANT_ROLES), entra: entraFields }),
]);
export type CreateIdentityProviderInput = z.infer<typeof createIdentityProviderSchema>;

/** Changing one: every field optional; secrets only when they change (omit to keep). */
export const updateIdentityProviderSchema = z.strictObject({
  displayName: displayName.optional(),
  enabled: z.boolean().optional(),
  jitProvisioning: z.boolean().optional(),
  roleMapping: roleMappingSchema(TENANT_ROLES).optional(),
  saml: samlFields.optional(),
  oidc: oidcFields.partial().optional(),
  entra: entraFields.partial().optional(),
});
export type UpdateIdentityProviderInput = z.infer<typeof updateIdentityProviderSchema>;

/**
 * Vendor staff providers, from SSO_STAFF_PROVIDERS (deployment configuration): the same shape,
 * with a stable `id` used in their URLs, and roles support_engineer / csm.
 */
const staffId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and hyphens');
export const staffProviderSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    id: staffId,
    kind: z.literal('saml'),
    ...common,
    roleMapping: roleMappingSchema(VENDOR_ROLES),
    saml: samlFields.omit({ metadataUrl: true }),
  }),
  z.strictObject({ id: staffId, kind: z.literal('oidc'), ...common, roleMapping: roleMappingSchema(VENDOR_ROLES), oidc: oidcFields }),
  z.strictObject({ id: staffId, kind: z.literal('entra'), ...common, roleMapping: roleMappingSchema(VENDOR_ROLES), entra: entraFields }),
]);
export type StaffProviderInput = z.infer<typeof staffProviderSchema>;

/**
 * Linking an existing account of the tenant to one of its providers (customer_admin): the account by id or email;
 * with `subject` (the NameID, `sub` or Entra object id that provider asserts for the person) the account is bound
 * at once; without it (OpenID Connect only) the provider's next sign-in that vouches for the account's email binds it.
 */
export const linkAccountSchema = z
  .strictObject({
    userId: z.uuid({ message: 'must be a user id' }).optional(),
    email: z
      .string()
      .trim()
      .max(320, 'is too long')
      .pipe(z.email({ message: 'must be an email address' }))
      .optional(),
    subject: z.string().trim().min(1, 'is required').max(1000, 'at most 1000 characters').optional(),
  })
  .refine((b) => (b.userId === undefined) !== (b.email === undefined), {
    message: 'give the userId or the email of the account (one of them)',
    path: ['userId'],
  });
export type LinkAccountInput = z.infer<typeof linkAccountSchema>;
