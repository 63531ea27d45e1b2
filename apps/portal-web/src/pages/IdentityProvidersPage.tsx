import { useNow } from '../hooks/use-now';
import { useState, type FormEvent, type ReactNode } from 'react';
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Center,
  Code,
  Container,
  CopyButton,
  Group,
  Loader,
  Modal,
  Paper,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { ApiError } from '../api/client';
import { ssoApi, type IdentityProvider, type IdpKind, type TenantRole } from '../api/sso';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { Time } from '../components/Time';
import { useSignedIn } from '../hooks/use-me';
import { fieldMessage } from '../lib/forms';

const KEY = ['identity-providers'] as const;
const KIND_LABELS: Record<IdpKind, string> = { saml: 'SAML 2.0', oidc: 'OpenID Connect', entra: 'Microsoft Entra ID' };
const ROLE_OPTIONS = [
  { value: 'customer_admin', label: 'Admin' },
  { value: 'customer_viewer', label: 'Viewer' },
];

/** Settings → Identity providers: the tenant's single sign-on, several providers, secrets write-only. */
export function IdentityProvidersPage() {
  const me = useSignedIn();
  const list = useQuery({ queryKey: KEY, queryFn: ssoApi.identityProviders });
  const [editing, setEditing] = useState<IdentityProvider | 'new' | null>(null);
  const [deleting, setDeleting] = useState<IdentityProvider | null>(null);
  const [linking, setLinking] = useState<IdentityProvider | null>(null);
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: (p: IdentityProvider) => ssoApi.deleteIdentityProvider(p.id),
    onSuccess: () => {
      setDeleting(null);
      void qc.invalidateQueries({ queryKey: KEY });
      notifications.show({ color: 'green', message: 'Identity provider removed' });
    },
  });

  return (
    <Container size="xl">
      <Stack gap="lg">
        <Group justify="space-between" align="flex-end">
          <div>
            <Text size="sm">
              <Anchor component={Link} to="/settings">
                Settings
              </Anchor>{' '}
              /
            </Text>
            <Title order={1} className="page-title">
              Identity providers
            </Title>
            <Text size="sm" c="dimmed" maw={720}>
              Single sign-on for {me.tenant?.displayName}: people sign in at <code>/t/{me.tenant?.slug}/sign-in</code> with any enabled provider. Their role
              comes from the provider's groups or roles through each provider's role mapping; someone whose groups map to no role is refused.
            </Text>
          </div>
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing('new')}>
            Add identity provider
          </Button>
        </Group>

        {list.isPending ? (
          <Center p="lg">
            <Loader size="sm" aria-label="Loading identity providers" />
          </Center>
        ) : list.isError ? (
          <ApiErrorAlert error={list.error} title="The identity providers could not be loaded" />
        ) : list.data.items.length === 0 ? (
          <Paper p="lg">
            <Text>
              No identity provider yet. Add your SAML, OpenID Connect or Microsoft Entra ID provider so your people can sign in with their work accounts.
            </Text>
          </Paper>
        ) : (
          list.data.items.map((p) => (
            <ProviderCard key={p.id} p={p} onEdit={() => setEditing(p)} onDelete={() => setDeleting(p)} onLink={() => setLinking(p)} />
          ))
        )}
      </Stack>

      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Add identity provider' : `Edit “${editing?.displayName ?? ''}”`}
        size="xl"
        centered
      >
        {editing !== null && <ProviderForm existing={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>

      <Modal opened={linking !== null} onClose={() => setLinking(null)} title={`Link an account to “${linking?.displayName ?? ''}”`} centered>
        {linking !== null && <LinkAccountForm provider={linking} onDone={() => setLinking(null)} />}
      </Modal>

      <Modal opened={deleting !== null} onClose={() => (setDeleting(null), remove.reset())} title={`Remove “${deleting?.displayName ?? ''}”?`} centered>
        <Stack gap="md">
          <Text size="sm">
            People can no longer sign in with this provider. Their accounts and the audit trail stay; adding the same provider again signs them back in to the
            same accounts.
          </Text>
          {remove.error && <ApiErrorAlert error={remove.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => (setDeleting(null), remove.reset())}>
              Keep provider
            </Button>
            <Button color="red.9" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
              Remove provider
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Container>
  );
}

function Copyable({ label, value }: { label: string; value: string }) {
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <Text size="sm" fw={600} miw={170}>
        {label}
      </Text>
      <Code className="break" style={{ flex: 1 }}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : `Copy ${label}`}>
            <ActionIcon variant="subtle" onClick={copy} aria-label={`Copy ${label}`}>
              {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

/**
 * Links an existing account of the tenant to a provider: the only way an account that signs in one way (a password,
 * another provider) reaches this one. SAML and Entra need the subject the provider asserts (NameID, object id);
 * OpenID Connect may leave it empty, and then the provider's next sign-in that vouches for the email binds it.
 */
function LinkAccountForm({ provider, onDone }: { provider: IdentityProvider; onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [subject, setSubject] = useState('');
  const link = useMutation({
    mutationFn: () => ssoApi.linkAccount(provider.id, { email: email.trim(), ...(subject.trim() ? { subject: subject.trim() } : {}) }),
    onSuccess: (r) => {
      notifications.show({
        color: 'green',
        message:
          r.mode === 'subject'
            ? `${r.email} now signs in with ${provider.displayName}`
            : `${r.email} is linked: their next sign-in with ${provider.displayName} binds the account`,
      });
      onDone();
    },
  });
  const errors = link.error instanceof ApiError ? link.error.fieldMap() : {};
  const err = (path: string) => (errors[path] ? fieldMessage(errors[path]) : undefined);
  const subjectLabel = provider.kind === 'saml' ? 'NameID' : provider.kind === 'entra' ? 'Object id (oid)' : 'Subject (sub)';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    link.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">The account keeps its role and history. A sign-in never links or moves an account by itself; this is recorded in the audit trail.</Text>
        <TextInput
          label="Email of the existing account"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={err('email') ?? err('userId')}
        />
        <TextInput
          label={subjectLabel}
          description={
            provider.kind === 'oidc'
              ? 'Optional: leave empty and the provider’s next sign-in with a verified email binds the account.'
              : `Required: the ${subjectLabel} ${provider.displayName} asserts for this person.`
          }
          required={provider.kind !== 'oidc'}
          value={subject}
          onChange={(e) => setSubject(e.currentTarget.value)}
          error={err('subject')}
        />
        {link.error && Object.keys(errors).length === 0 && <ApiErrorAlert error={link.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={link.isPending}>
            Link account
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ProviderCard({ p, onEdit, onDelete, onLink }: { p: IdentityProvider; onEdit: () => void; onDelete: () => void; onLink: () => void }) {
  const now = useNow();
  const origin = window.location.origin;
  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-label={p.displayName} data-testid="idp-card">
      <Group justify="space-between" align="flex-start" mb="sm">
        <div>
          <Group gap="xs">
            <Title order={2} size="h3">
              {p.displayName}
            </Title>
            <Badge variant="light">{KIND_LABELS[p.kind]}</Badge>
            {p.enabled ? (
              <Badge variant="light" color="green">
                Enabled
              </Badge>
            ) : (
              <Badge variant="light" color="gray">
                Disabled
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            Changed <Time iso={p.updatedAt} /> by {p.updatedBy}
          </Text>
        </div>
        <Group gap="xs">
          <Button variant="default" size="xs" onClick={onEdit}>
            Edit
          </Button>
          <Button variant="default" size="xs" onClick={onLink} aria-label={`Link an account to ${p.displayName}`}>
            Link account
          </Button>
          <Button
            variant="outline"
            color="red"
            size="xs"
            leftSection={<IconTrash size={14} aria-hidden />}
            onClick={onDelete}
            aria-label={`Remove ${p.displayName}`}
          >
            Remove
          </Button>
        </Group>
      </Group>
      <Stack gap={6}>
        <Text size="sm" fw={700}>
          Register these at your identity provider
        </Text>
        {p.kind === 'saml' ? (
          <>
            <Copyable label="SP metadata URL" value={p.serviceProvider.metadataUrl} />
            <Copyable label="Entity ID (audience)" value={p.serviceProvider.entityId} />
            <Copyable label="ACS / reply URL" value={p.serviceProvider.acsUrl} />
          </>
        ) : (
          <Copyable label="Redirect URI" value={p.serviceProvider.redirectUri} />
        )}
        <Copyable label="Sign-in link" value={origin + p.startUrl} />
        <Text size="sm" fw={700} mt="sm">
          Configuration
        </Text>
        {p.kind === 'saml' && (
          <>
            <Text size="sm">IdP entity ID: {p.saml.idpEntityId}</Text>
            <Text size="sm">SSO URL: {p.saml.ssoUrl}</Text>
            {p.saml.metadataUrl && <Text size="sm">Metadata from: {p.saml.metadataUrl}</Text>}
            {p.saml.certificates.map((c) => (
              <Text size="sm" key={c.fingerprintSha256}>
                Signing certificate {c.subject}, expires <Time iso={c.notAfter} />
                {new Date(c.notAfter).getTime() < now + 30 * 86400_000 && (
                  <Badge color="orange" ml="xs">
                    renew soon
                  </Badge>
                )}
              </Text>
            ))}
          </>
        )}
        {p.kind === 'oidc' && (
          <>
            <Text size="sm">Issuer: {p.oidc.issuer}</Text>
            <Text size="sm">Client ID: {p.oidc.clientId}</Text>
            <Text size="sm">Scopes: {p.oidc.scopes.join(' ')}</Text>
            <Text size="sm">Client secret: {p.oidc.hasClientSecret ? 'set (never shown)' : 'not set'}</Text>
          </>
        )}
        {p.kind === 'entra' && (
          <>
            <Text size="sm">Directory (tenant) ID: {p.entra.directoryId}</Text>
            <Text size="sm">Application (client) ID: {p.entra.clientId}</Text>
            <Text size="sm">
              Credential:{' '}
              {p.entra.credential === 'certificate' && p.entra.certificate ? (
                <>
                  certificate {p.entra.certificate.thumbprintSha256}, expires <Time iso={p.entra.certificate.notAfter} />
                </>
              ) : p.entra.hasClientSecret ? (
                'client secret set (never shown)'
              ) : (
                'not set'
              )}
            </Text>
          </>
        )}
        <Text size="sm">
          Roles from <code>{p.roleMapping.claim}</code>:{' '}
          {p.roleMapping.rules.length
            ? p.roleMapping.rules.map((r) => `${r.value} → ${r.role === 'customer_admin' ? 'admin' : 'viewer'}`).join(', ')
            : 'no rules'}
          ; others: {p.roleMapping.defaultRole ? (p.roleMapping.defaultRole === 'customer_admin' ? 'admin' : 'viewer') : 'refused'}.{' '}
          {p.jitProvisioning ? 'Accounts are created at first sign-in.' : 'Only existing accounts may sign in.'}
        </Text>
      </Stack>
    </Paper>
  );
}

interface Rule {
  key: number;
  value: string;
  role: TenantRole;
}
let ruleKey = 0;

interface FormState {
  kind: IdpKind;
  displayName: string;
  enabled: boolean;
  jitProvisioning: boolean;
  claim: string;
  rules: Rule[];
  defaultRole: TenantRole | '';
  samlSource: 'metadataUrl' | 'metadataXml' | 'manual';
  metadataUrl: string;
  metadataXml: string;
  entityId: string;
  ssoUrl: string;
  certificate: string;
  emailAttribute: string;
  nameAttribute: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  directoryId: string;
  entraCredential: 'secret' | 'certificate';
  certificatePem: string;
  privateKeyPem: string;
  cloudInstance: string;
}

function initial(p: IdentityProvider | null): FormState {
  const base: FormState = {
    kind: p?.kind ?? 'oidc',
    displayName: p?.displayName ?? '',
    enabled: p?.enabled ?? true,
    jitProvisioning: p?.jitProvisioning ?? true,
    claim: p?.roleMapping.claim ?? 'groups',
    rules: (p?.roleMapping.rules ?? [{ value: '', role: 'customer_admin' as TenantRole }]).map((r) => ({ ...r, key: ++ruleKey })),
    defaultRole: p?.roleMapping.defaultRole ?? '',
    samlSource: p?.kind === 'saml' ? (p.saml.metadataUrl ? 'metadataUrl' : 'manual') : 'metadataUrl',
    metadataUrl: p?.kind === 'saml' ? (p.saml.metadataUrl ?? '') : '',
    metadataXml: '',
    entityId: p?.kind === 'saml' ? p.saml.idpEntityId : '',
    ssoUrl: p?.kind === 'saml' ? p.saml.ssoUrl : '',
    certificate: '',
    emailAttribute: p?.kind === 'saml' ? (p.saml.emailAttribute ?? '') : '',
    nameAttribute: p?.kind === 'saml' ? (p.saml.nameAttribute ?? '') : '',
    issuer: p?.kind === 'oidc' ? p.oidc.issuer : '',
    clientId: p?.kind === 'oidc' ? p.oidc.clientId : p?.kind === 'entra' ? p.entra.clientId : '',
    clientSecret: '',
    scopes: p?.kind === 'oidc' ? p.oidc.scopes.join(' ') : 'openid email profile',
    directoryId: p?.kind === 'entra' ? p.entra.directoryId : '',
    entraCredential: p?.kind === 'entra' ? p.entra.credential : 'secret',
    certificatePem: '',
    privateKeyPem: '',
    cloudInstance: p?.kind === 'entra' ? p.entra.cloudInstance : 'https://login.microsoftonline.com',
  };
  if (p?.kind === 'entra' && !p.roleMapping.claim) base.claim = 'roles';
  return base;
}

/** The request body; secrets only when typed (empty means "keep the one that is set"). */
function toBody(f: FormState, existing: IdentityProvider | null): Record<string, unknown> {
  const orNull = (s: string) => (s.trim() ? s.trim() : null);
  const common = {
    displayName: f.displayName.trim(),
    enabled: f.enabled,
    jitProvisioning: f.jitProvisioning,
    roleMapping: {
      claim: f.claim.trim(),
      rules: f.rules.filter((r) => r.value.trim()).map((r) => ({ value: r.value.trim(), role: r.role })),
      defaultRole: f.defaultRole || null,
    },
  };
  let settings: Record<string, unknown>;
  if (f.kind === 'saml') {
    settings =
      f.samlSource === 'metadataUrl'
        ? { metadataUrl: f.metadataUrl.trim() }
        : f.samlSource === 'metadataXml'
          ? f.metadataXml.trim() || !existing
            ? { metadataXml: f.metadataXml.trim() }
            : {}
          : { entityId: f.entityId.trim(), ssoUrl: f.ssoUrl.trim(), ...(f.certificate.trim() ? { certificate: f.certificate.trim() } : {}) };
    settings = { ...settings, emailAttribute: orNull(f.emailAttribute), nameAttribute: orNull(f.nameAttribute) };
  } else if (f.kind === 'oidc') {
    settings = {
      issuer: f.issuer.trim(),
      clientId: f.clientId.trim(),
      scopes: f.scopes.split(/\s+/).filter(Boolean),
      ...(f.clientSecret ? { clientSecret: f.clientSecret } : {}),
    };
  } else {
    settings = {
      directoryId: f.directoryId.trim(),
      clientId: f.clientId.trim(),
      cloudInstance: f.cloudInstance.trim(),
      ...(f.entraCredential === 'secret' && f.clientSecret ? { clientSecret: f.clientSecret } : {}),
      ...(f.entraCredential === 'certificate' && (f.certificatePem.trim() || f.privateKeyPem.trim())
        ? { certificate: { certificatePem: f.certificatePem.trim(), privateKeyPem: f.privateKeyPem.trim() } }
        : {}),
    };
  }
  return existing ? { ...common, [f.kind]: settings } : { kind: f.kind, ...common, [f.kind]: settings };
}

function ProviderForm({ existing, onDone }: { existing: IdentityProvider | null; onDone: () => void }) {
  const qc = useQueryClient();
  const [f, setF] = useState<FormState>(() => initial(existing));
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => (existing ? ssoApi.updateIdentityProvider(existing.id, body) : ssoApi.createIdentityProvider(body)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: KEY });
      notifications.show({ color: 'green', message: existing ? 'Identity provider saved' : 'Identity provider added' });
      onDone();
    },
  });
  const errors = save.error instanceof ApiError ? save.error.fieldMap() : {};
  const err = (path: string) => (errors[path] ? fieldMessage(errors[path]) : undefined);
  const k = f.kind;
  const secretSet = existing?.kind === 'oidc' ? existing.oidc.hasClientSecret : existing?.kind === 'entra' ? existing.entra.hasClientSecret : false;
  const keep = existing ? 'Leave empty to keep the one that is set' : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(toBody(f, existing));
  };
  const unknownFieldErrors = save.error && Object.keys(errors).length === 0;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {!existing && (
          <Box>
            <Text size="sm" fw={500} mb={4} id="idp-kind-label">
              Protocol
            </Text>
            <SegmentedControl
              aria-labelledby="idp-kind-label"
              value={k}
              onChange={(v) => setF((s) => ({ ...s, kind: v as IdpKind, claim: v === 'entra' ? 'roles' : s.claim }))}
              data={(['saml', 'oidc', 'entra'] as const).map((x) => ({ value: x, label: KIND_LABELS[x] }))}
            />
          </Box>
        )}
        <TextInput
          label="Name on the sign-in button"
          placeholder="Acme Okta"
          value={f.displayName}
          onChange={(e) => set('displayName', e.currentTarget.value)}
          error={err('displayName')}
          required
        />

        {k === 'saml' && (
          <Section title="Your SAML identity provider">
            <SegmentedControl
              value={f.samlSource}
              onChange={(v) => set('samlSource', v as FormState['samlSource'])}
              data={[
                { value: 'metadataUrl', label: 'Metadata URL' },
                { value: 'metadataXml', label: 'Metadata file' },
                { value: 'manual', label: 'Enter by hand' },
              ]}
            />
            {f.samlSource === 'metadataUrl' && (
              <TextInput
                label="IdP metadata URL"
                description="Fetched when you save; save again to refresh after a certificate rollover."
                value={f.metadataUrl}
                onChange={(e) => set('metadataUrl', e.currentTarget.value)}
                error={err('saml.metadataUrl')}
                required
              />
            )}
            {f.samlSource === 'metadataXml' && (
              <Textarea
                label="IdP metadata XML"
                autosize
                minRows={4}
                maxRows={10}
                value={f.metadataXml}
                onChange={(e) => set('metadataXml', e.currentTarget.value)}
                error={err('saml.metadataXml')}
                description={keep}
              />
            )}
            {f.samlSource === 'manual' && (
              <>
                <TextInput
                  label="IdP entity ID"
                  value={f.entityId}
                  onChange={(e) => set('entityId', e.currentTarget.value)}
                  error={err('saml.entityId')}
                  required
                />
                <TextInput
                  label="SSO URL (HTTP-Redirect)"
                  value={f.ssoUrl}
                  onChange={(e) => set('ssoUrl', e.currentTarget.value)}
                  error={err('saml.ssoUrl')}
                  required
                />
                <Textarea
                  label="Signing certificate (PEM)"
                  autosize
                  minRows={3}
                  maxRows={8}
                  value={f.certificate}
                  onChange={(e) => set('certificate', e.currentTarget.value)}
                  error={err('saml.certificate')}
                  description={keep}
                />
              </>
            )}
            <Group grow>
              <TextInput
                label="Email attribute"
                placeholder="automatic (email, mail, …)"
                value={f.emailAttribute}
                onChange={(e) => set('emailAttribute', e.currentTarget.value)}
                error={err('saml.emailAttribute')}
              />
              <TextInput
                label="Name attribute"
                placeholder="automatic (displayName, …)"
                value={f.nameAttribute}
                onChange={(e) => set('nameAttribute', e.currentTarget.value)}
                error={err('saml.nameAttribute')}
              />
            </Group>
          </Section>
        )}

        {k === 'oidc' && (
          <Section title="Your OpenID Provider">
            <TextInput
              label="Issuer"
              description="Exactly as your provider's discovery document says, e.g. https://acme.okta.com/oauth2/default"
              value={f.issuer}
              onChange={(e) => set('issuer', e.currentTarget.value)}
              error={err('oidc.issuer')}
              required
            />
            <TextInput label="Client ID" value={f.clientId} onChange={(e) => set('clientId', e.currentTarget.value)} error={err('oidc.clientId')} required />
            <PasswordInput
              label="Client secret"
              placeholder={secretSet ? '•••••••• (set)' : undefined}
              description={keep}
              value={f.clientSecret}
              onChange={(e) => set('clientSecret', e.currentTarget.value)}
              error={err('oidc.clientSecret')}
              required={!existing}
              autoComplete="new-password"
            />
            <TextInput
              label="Scopes"
              value={f.scopes}
              onChange={(e) => set('scopes', e.currentTarget.value)}
              error={err('oidc.scopes')}
              description="openid is always requested; add groups if your provider needs it for the groups claim"
            />
          </Section>
        )}

        {k === 'entra' && (
          <Section title="Your Microsoft Entra ID application">
            <TextInput
              label="Directory (tenant) ID"
              description="Only accounts from this directory are accepted."
              value={f.directoryId}
              onChange={(e) => set('directoryId', e.currentTarget.value)}
              error={err('entra.directoryId')}
              required
            />
            <TextInput
              label="Application (client) ID"
              value={f.clientId}
              onChange={(e) => set('clientId', e.currentTarget.value)}
              error={err('entra.clientId')}
              required
            />
            <SegmentedControl
              value={f.entraCredential}
              onChange={(v) => set('entraCredential', v as FormState['entraCredential'])}
              data={[
                { value: 'secret', label: 'Client secret' },
                { value: 'certificate', label: 'Certificate' },
              ]}
            />
            {f.entraCredential === 'secret' ? (
              <PasswordInput
                label="Client secret (value)"
                placeholder={secretSet ? '•••••••• (set)' : undefined}
                description={keep}
                value={f.clientSecret}
                onChange={(e) => set('clientSecret', e.currentTarget.value)}
                error={err('entra.clientSecret')}
                autoComplete="new-password"
              />
            ) : (
              <>
                <Textarea
                  label="Certificate (PEM)"
                  autosize
                  minRows={3}
                  maxRows={8}
                  value={f.certificatePem}
                  onChange={(e) => set('certificatePem', e.currentTarget.value)}
                  error={err('entra.certificate.certificatePem') ?? err('entra.certificate')}
                  description={keep}
                />
                <Textarea
                  label="Private key (PEM)"
                  autosize
                  minRows={3}
                  maxRows={8}
                  value={f.privateKeyPem}
                  onChange={(e) => set('privateKeyPem', e.currentTarget.value)}
                  error={err('entra.certificate.privateKeyPem')}
                  description="Write-only: stored encrypted, never shown again."
                />
              </>
            )}
            <TextInput
              label="Cloud instance"
              value={f.cloudInstance}
              onChange={(e) => set('cloudInstance', e.currentTarget.value)}
              error={err('entra.cloudInstance')}
            />
            <Alert color="blue" variant="light" title="Admin consent">
              <Text size="sm">
                If users see a consent prompt or "AADSTS65001", pre-consent in Azure → Enterprise Applications → User Settings (or grant admin consent on the
                application's API permissions).
              </Text>
            </Alert>
          </Section>
        )}

        <Section title="Role mapping">
          <TextInput
            label={k === 'saml' ? 'Attribute with groups or roles' : 'Claim with groups or roles'}
            value={f.claim}
            onChange={(e) => set('claim', e.currentTarget.value)}
            error={err('roleMapping.claim')}
            required
          />
          {f.rules.map((r, i) => (
            <Group key={r.key} align="flex-end" wrap="nowrap">
              <TextInput
                style={{ flex: 1 }}
                label={i === 0 ? 'Value' : undefined}
                aria-label={`Rule ${i + 1} value`}
                value={r.value}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setF((s) => ({ ...s, rules: s.rules.map((x) => (x.key === r.key ? { ...x, value: v } : x)) }));
                }}
                error={err(`roleMapping.rules.${i}.value`)}
              />
              <Select
                label={i === 0 ? 'Role' : undefined}
                aria-label={`Rule ${i + 1} role`}
                data={ROLE_OPTIONS}
                value={r.role}
                allowDeselect={false}
                onChange={(v) => v && setF((s) => ({ ...s, rules: s.rules.map((x) => (x.key === r.key ? { ...x, role: v as TenantRole } : x)) }))}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={`Remove rule ${i + 1}`}
                onClick={() => setF((s) => ({ ...s, rules: s.rules.filter((x) => x.key !== r.key) }))}
                mb={4}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconPlus size={14} aria-hidden />}
              onClick={() => setF((s) => ({ ...s, rules: [...s.rules, { key: ++ruleKey, value: '', role: 'customer_viewer' }] }))}
            >
              Add rule
            </Button>
          </Group>
          <Select
            label="Everyone else"
            data={[{ value: '', label: 'Refused (no role)' }, ...ROLE_OPTIONS]}
            value={f.defaultRole}
            allowDeselect={false}
            onChange={(v) => set('defaultRole', (v ?? '') as FormState['defaultRole'])}
          />
          <Switch label="Create accounts at first sign-in" checked={f.jitProvisioning} onChange={(e) => set('jitProvisioning', e.currentTarget.checked)} />
          <Switch label="Enabled (shown on the sign-in page)" checked={f.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        </Section>

        {unknownFieldErrors && <ApiErrorAlert error={save.error} title="The identity provider was not saved" />}
        {save.error && !unknownFieldErrors && <ApiErrorAlert error={save.error} title="Please check the highlighted fields" listFields />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {existing ? 'Save' : 'Add provider'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={3} size="h5">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}
