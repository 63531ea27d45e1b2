import { useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  Alert,
  Anchor,
  Box,
  Button,
  Checkbox,
  Container,
  Grid,
  Group,
  List,
  NumberInput,
  Paper,
  Radio,
  Select,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconBulb, IconClock, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import {
  declareIncidentSchema,
  PLANE_OWNERSHIP_NOTE,
  PLANES,
  RECENT_CHANGE_KINDS,
  SERVICES,
  SEVERITIES,
  SEVERITY_DEFINITIONS,
  zodIssuesToFields,
  type DeclareIncidentInput,
  type Plane,
  type RecentChangeKind,
  type ServiceMode,
  type ServiceName,
  type Severity,
} from '@portal/contracts';
import { ASSISTING_NOTE, requiredChannels, responseTarget, SLA_POLICY, type ClockTarget } from '@portal/sla';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Region } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { SeverityBadge } from '../components/Badges';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { fieldMessage, toFieldMap } from '../lib/forms';
import { CHANNEL_LABELS, MODE_LABELS, PLANE_LABELS, RECENT_CHANGE_LABELS, SEVERITY_SHORT } from '../lib/labels';
import { IMPACT_ANSWERS, suggestSeverity } from '../lib/severity-helper';
import { allTimeZones, formatTime, fromLocalInput, toLocalInput, viewerZone } from '../lib/time';

interface Draft {
  title: string;
  severity: Severity | null;
  services: ServiceName[];
  regions: string[];
  impactedUsers: number | '';
  firstNoticedLocal: string;
  firstNoticedTimezone: string;
  symptoms: string;
  recentKinds: RecentChangeKind[];
  recentDetails: string;
  errorCodes: string[];
  reproductionConfirmed: boolean;
  impactedUserExamples: string[];
  plane: Plane | null;
}

/** Fields in the order of the form: the first with an error gets the focus on submit. */
const FIELD_ORDER = [
  'title',
  'symptoms',
  'severity',
  'services',
  'regions',
  'impactedUsers',
  'impactedUserExamples',
  'firstNoticedAt',
  'firstNoticedTimezone',
  'recentChanges',
  'recentChanges.details',
  'errorCodes',
  'reproductionConfirmed',
  'plane',
] as const;
type FieldKey = (typeof FIELD_ORDER)[number];

const FIELD_LABELS: Record<FieldKey, string> = {
  title: 'Title',
  symptoms: 'Symptoms',
  severity: 'Severity',
  services: 'Affected services',
  regions: 'Affected regions',
  impactedUsers: 'Impacted users',
  impactedUserExamples: 'Impacted-user examples',
  firstNoticedAt: 'First noticed',
  firstNoticedTimezone: 'Your time zone',
  recentChanges: 'Recent changes',
  'recentChanges.details': 'Details of the changes',
  errorCodes: 'Error codes',
  reproductionConfirmed: 'Reproduction',
  plane: 'Where the problem is',
};

const fieldId = (k: FieldKey) => `field-${k.replace('.', '-')}`;

/** `regions.0` → `regions`, `recentChanges.details` stays: the UI shows one message per control. */
function uiKey(path: string): FieldKey | null {
  if (path === 'recentChanges.details') return 'recentChanges.details';
  const head = path.split('.')[0];
  return (FIELD_ORDER as readonly string[]).includes(head) ? (head as FieldKey) : null;
}

function toPayload(d: Draft): Record<string, unknown> {
  const details = d.recentDetails.trim();
  return {
    title: d.title,
    severity: d.severity ?? undefined,
    services: d.services,
    regions: d.regions,
    impactedUsers: d.impactedUsers === '' ? undefined : d.impactedUsers,
    firstNoticedAt: fromLocalInput(d.firstNoticedLocal, d.firstNoticedTimezone) ?? (d.firstNoticedLocal || undefined),
    firstNoticedTimezone: d.firstNoticedTimezone,
    symptoms: d.symptoms,
    recentChanges: { kinds: d.recentKinds, ...(details ? { details } : {}) },
    ...(d.errorCodes.length ? { errorCodes: d.errorCodes } : {}),
    reproductionConfirmed: d.reproductionConfirmed,
    ...(d.impactedUserExamples.length ? { impactedUserExamples: d.impactedUserExamples } : {}),
    ...(d.plane ? { plane: d.plane } : {}),
  };
}

/** The API's own schema plus the two rules it checks against the tenant (Mode C plane, not in the future). */
function validate(d: Draft, mode: ServiceMode, regions: Region[]): { errors: Partial<Record<FieldKey, string>>; input: DeclareIncidentInput | null } {
  const parsed = declareIncidentSchema.safeParse(toPayload(d));
  const errors: Partial<Record<FieldKey, string>> = {};
  if (!parsed.success) {
    for (const f of zodIssuesToFields(parsed.error.issues)) {
      const k = uiKey(f.field);
      if (k && !errors[k]) errors[k] = f.message;
    }
  }
  if (mode === 'C' && !d.plane) errors.plane = 'is required for Mode C tenants: data plane, control plane or not sure';
  const known = new Set(regions.map((r) => r.code));
  if (d.regions.some((r) => !known.has(r))) errors.regions = 'is not a region of this tenant';
  const at = fromLocalInput(d.firstNoticedLocal, d.firstNoticedTimezone);
  if (at && Date.parse(at) > Date.now() + 5 * 60_000) errors.firstNoticedAt = 'cannot be in the future';
  return { errors, input: parsed.success && Object.keys(errors).length === 0 ? parsed.data : null };
}

export function DeclareIncidentPage() {
  const me = useSignedIn();
  const tenant = me.tenant!;
  usePageTitle('Declare an incident');
  const mode = tenant.serviceMode;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const zones = useMemo(() => allTimeZones(), []);
  // Phones show the commitments right under the severity; wide screens keep them in a sticky side panel.
  const wide = useMediaQuery('(min-width: 62em)', true, { getInitialValueInEffect: false });
  const [draft, setDraft] = useState<Draft>(() => {
    const zone = viewerZone();
    return {
      title: '',
      severity: null,
      services: [],
      regions: tenant.regions.length === 1 ? [tenant.regions[0].code] : [],
      impactedUsers: '',
      firstNoticedLocal: toLocalInput(new Date(), zone),
      firstNoticedTimezone: zone,
      symptoms: '',
      recentKinds: [],
      recentDetails: '',
      errorCodes: [],
      reproductionConfirmed: false,
      impactedUserExamples: [],
      plane: null,
    };
  });
  const [touched, setTouched] = useState<Set<FieldKey>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [impactAnswer, setImpactAnswer] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  const { errors, input } = validate(draft, mode, tenant.regions);
  const shown = (k: FieldKey): string | undefined => {
    const m = serverErrors[k] ?? ((submitted || touched.has(k)) ? errors[k] : undefined);
    return m ? fieldMessage(m) : undefined;
  };
  const update = <K extends keyof Draft>(key: K, value: Draft[K], field: FieldKey) => {
    setDraft((d) => ({ ...d, [key]: value }));
    setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
    setServerErrors((s) => {
      if (!(field in s)) return s;
      const next = { ...s };
      delete next[field];
      return next;
    });
  };
  const blur = (k: FieldKey) => () => setTouched((t) => (t.has(k) ? t : new Set(t).add(k)));

  const declare = useMutation({
    mutationFn: (body: DeclareIncidentInput) => api.declare(body),
    onSuccess: (incident) => {
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      notifications.show({ color: 'green', title: `${incident.reference} declared`, message: 'Claresia has been notified. Follow the clocks and updates on this page.' });
      navigate(`/incidents/${incident.id}`);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.fields.length) {
        const mapped: Partial<Record<FieldKey, string>> = {};
        for (const [path, message] of Object.entries(toFieldMap(e.fields))) {
          const k = uiKey(path);
          if (k && !mapped[k]) mapped[k] = message;
        }
        setServerErrors(mapped);
        const first = FIELD_ORDER.find((k) => mapped[k]);
        if (first) document.getElementById(fieldId(first))?.focus();
      } else {
        summaryRef.current?.focus();
      }
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (!input) {
      const first = FIELD_ORDER.find((k) => errors[k]);
      if (first) document.getElementById(fieldId(first))?.focus();
      return;
    }
    declare.mutate(input);
  };

  const suggestion = suggestSeverity(impactAnswer, draft.title, draft.symptoms);
  const errorCount = submitted ? FIELD_ORDER.filter((k) => errors[k] || serverErrors[k]).length : Object.keys(serverErrors).length;
  const noticedAt = fromLocalInput(draft.firstNoticedLocal, draft.firstNoticedTimezone);

  return (
    <Container size="xl">
      <Stack gap="xs" mb="lg">
        <Title order={1} className="page-title">
          Declare an incident
        </Title>
        <Text size="sm" c="dimmed">
          {tenant.displayName} · {MODE_LABELS[mode]}. Don't troubleshoot first: declare, and Claresia investigates in parallel. Fields marked{' '}
          <span className="required-mark" aria-hidden>
            *
          </span>
          <span className="sr-only">with an asterisk</span> are required.
        </Text>
      </Stack>
      <form onSubmit={submit} noValidate aria-label="Declare an incident">
        <Grid gutter="lg">
          <Grid.Col span={wide ? 8 : 12}>
            <Stack gap="lg">
              {errorCount > 0 && (
                <Alert ref={summaryRef} tabIndex={-1} color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title={`Please check ${errorCount} field${errorCount === 1 ? '' : 's'}`} role="alert">
                  <List size="sm" spacing={2}>
                    {FIELD_ORDER.filter((k) => serverErrors[k] ?? (submitted ? errors[k] : undefined)).map((k) => (
                      <List.Item key={k}>
                        <Anchor href={`#${fieldId(k)}`} size="sm" onClick={(e) => { e.preventDefault(); document.getElementById(fieldId(k))?.focus(); }}>
                          {FIELD_LABELS[k]}: {fieldMessage((serverErrors[k] ?? errors[k])!)}
                        </Anchor>
                      </List.Item>
                    ))}
                  </List>
                </Alert>
              )}
              {declare.error && !(declare.error instanceof ApiError && declare.error.fields.length) && <ApiErrorAlert error={declare.error} title="The incident was not declared" />}

              <Section title="What is happening">
                <TextInput
                  id={fieldId('title')}
                  label="Title"
                  description="One line your colleagues will recognise, e.g. “SSO sign-in fails for all users”."
                  value={draft.title}
                  onChange={(e) => update('title', e.currentTarget.value, 'title')}
                  onBlur={blur('title')}
                  error={shown('title')}
                  maxLength={200}
                  required
                />
                <Textarea
                  id={fieldId('symptoms')}
                  label="Symptoms"
                  description="What users see: messages, which pages or skills, since when. Do not paste passwords, tokens or API keys: Claresia will never ask for them."
                  value={draft.symptoms}
                  onChange={(e) => update('symptoms', e.currentTarget.value, 'symptoms')}
                  onBlur={blur('symptoms')}
                  error={shown('symptoms')}
                  autosize
                  minRows={4}
                  maxRows={12}
                  required
                />
                <SeverityField
                  value={draft.severity}
                  onChange={(s) => update('severity', s, 'severity')}
                  error={shown('severity')}
                  impactAnswer={impactAnswer}
                  onImpactAnswer={setImpactAnswer}
                  suggestion={suggestion}
                />
                {!wide && <Commitments severity={draft.severity} mode={mode} plane={draft.plane} />}
              </Section>

              <Section title="Impact">
                <Checkbox.Group
                  id={fieldId('services')}
                  label="Affected services"
                  description="Pick every service that misbehaves."
                  value={draft.services}
                  onChange={(v) => update('services', v as ServiceName[], 'services')}
                  error={shown('services')}
                  required
                >
                  <Group gap="md" mt={6}>
                    {SERVICES.map((s) => (
                      <Checkbox key={s} value={s} label={s} />
                    ))}
                  </Group>
                </Checkbox.Group>
                <Checkbox.Group
                  id={fieldId('regions')}
                  label="Affected regions"
                  description="Regions of your tenant."
                  value={draft.regions}
                  onChange={(v) => update('regions', v, 'regions')}
                  error={shown('regions')}
                  required
                >
                  <Group gap="md" mt={6}>
                    {tenant.regions.map((r) => (
                      <Checkbox key={r.code} value={r.code} label={`${r.code} (${r.name})`} />
                    ))}
                  </Group>
                </Checkbox.Group>
                <NumberInput
                  id={fieldId('impactedUsers')}
                  label="Impacted users"
                  description="An estimate is fine; you can update it as the situation evolves."
                  value={draft.impactedUsers}
                  onChange={(v) => update('impactedUsers', typeof v === 'number' ? v : v === '' ? '' : Number.isFinite(Number(v)) ? Number(v) : '', 'impactedUsers')}
                  onBlur={blur('impactedUsers')}
                  error={shown('impactedUsers')}
                  min={0}
                  max={10_000_000}
                  allowDecimal={false}
                  allowNegative={false}
                  thousandSeparator=","
                  maw={260}
                  required
                />
                <TagsInput
                  id={fieldId('impactedUserExamples')}
                  label="Impacted-user examples"
                  description="A few affected accounts (user names or emails) so engineers can look them up. Press Enter after each."
                  value={draft.impactedUserExamples}
                  onChange={(v) => update('impactedUserExamples', v, 'impactedUserExamples')}
                  error={shown('impactedUserExamples')}
                  splitChars={[',', ' ', ';']}
                  maxTags={50}
                  clearable
                />
              </Section>

              <Section title="When">
                <Group align="flex-start" gap="md" grow preventGrowOverflow={false} wrap="wrap">
                  <TextInput
                    id={fieldId('firstNoticedAt')}
                    type="datetime-local"
                    label="First noticed"
                    description={`Local time in the zone on the right.`}
                    value={draft.firstNoticedLocal}
                    onChange={(e) => update('firstNoticedLocal', e.currentTarget.value, 'firstNoticedAt')}
                    onBlur={blur('firstNoticedAt')}
                    error={shown('firstNoticedAt')}
                    miw={220}
                    required
                  />
                  <Select
                    id={fieldId('firstNoticedTimezone')}
                    label="Your time zone"
                    description="Defaults to this browser's zone."
                    data={zones}
                    value={draft.firstNoticedTimezone}
                    onChange={(v) => update('firstNoticedTimezone', v ?? '', 'firstNoticedTimezone')}
                    error={shown('firstNoticedTimezone')}
                    searchable
                    limit={60}
                    allowDeselect={false}
                    nothingFoundMessage="No such time zone"
                    miw={220}
                    required
                  />
                </Group>
                {noticedAt && (
                  <Text size="sm" c="dimmed" aria-live="polite">
                    {formatTime(noticedAt, draft.firstNoticedTimezone)} for you
                    {draft.firstNoticedTimezone !== viewerZone() ? ` = ${formatTime(noticedAt)} in this browser's zone` : ''}.
                  </Text>
                )}
              </Section>

              <Section title="Context">
                <Checkbox.Group
                  id={fieldId('recentChanges')}
                  label="Recent changes on your side"
                  description="Anything changed in the last days? Leave empty if nothing changed."
                  value={draft.recentKinds}
                  onChange={(v) => update('recentKinds', v as RecentChangeKind[], 'recentChanges')}
                  error={shown('recentChanges')}
                >
                  <Stack gap={6} mt={6}>
                    {RECENT_CHANGE_KINDS.map((k) => (
                      <Checkbox key={k} value={k} label={RECENT_CHANGE_LABELS[k]} />
                    ))}
                  </Stack>
                </Checkbox.Group>
                <Textarea
                  id={fieldId('recentChanges.details')}
                  label="Details of the changes"
                  description="What changed and when, e.g. “Reply URL list edited in Entra ID this morning”."
                  value={draft.recentDetails}
                  onChange={(e) => update('recentDetails', e.currentTarget.value, 'recentChanges.details')}
                  onBlur={blur('recentChanges.details')}
                  error={shown('recentChanges.details')}
                  required={draft.recentKinds.includes('other')}
                  autosize
                  minRows={2}
                />
                <TagsInput
                  id={fieldId('errorCodes')}
                  label="Error codes"
                  description="From Command Center or Hub Browser, e.g. AADSTS50011. Press Enter after each."
                  value={draft.errorCodes}
                  onChange={(v) => update('errorCodes', v, 'errorCodes')}
                  error={shown('errorCodes')}
                  splitChars={[',', ' ', ';']}
                  maxTags={50}
                  clearable
                />
                <Checkbox
                  id={fieldId('reproductionConfirmed')}
                  label="We can reproduce the problem"
                  description="Leave unticked if it happened but you could not make it happen again yet."
                  checked={draft.reproductionConfirmed}
                  onChange={(e) => update('reproductionConfirmed', e.currentTarget.checked, 'reproductionConfirmed')}
                  error={shown('reproductionConfirmed')}
                />
              </Section>

              {mode === 'C' && (
                <Section title="Where the problem is (Mode C, BYOC)">
                  <Radio.Group
                    id={fieldId('plane')}
                    label="Which plane is affected?"
                    value={draft.plane}
                    onChange={(v) => update('plane', v as Plane, 'plane')}
                    error={shown('plane')}
                    required
                  >
                    <Stack gap={6} mt={6}>
                      {PLANES.map((p) => (
                        <Radio key={p} value={p} label={PLANE_LABELS[p]} />
                      ))}
                    </Stack>
                  </Radio.Group>
                  <Alert color="blue" variant="light" icon={<IconInfoCircle aria-hidden />} title="Who owns what in Mode C">
                    <Text size="sm">{PLANE_OWNERSHIP_NOTE}</Text>
                  </Alert>
                  {draft.plane === 'data_plane' && (
                    <Alert color="orange" variant="light" title="Your runbook applies" role="status">
                      <Text size="sm">{ASSISTING_NOTE}</Text>
                    </Alert>
                  )}
                </Section>
              )}

              <Group justify="flex-end" gap="sm">
                <Button variant="default" onClick={() => navigate(-1)}>
                  Cancel
                </Button>
                <Button type="submit" color="red.9" size="md" loading={declare.isPending}>
                  Declare incident
                </Button>
              </Group>
            </Stack>
          </Grid.Col>
          {wide && (
            <Grid.Col span={4}>
              <Box className="sticky-md">
                <Commitments severity={draft.severity} mode={mode} plane={draft.plane} />
              </Box>
            </Grid.Col>
          )}
        </Grid>
      </form>
    </Container>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="md">
        {title}
      </Title>
      <Stack gap="md">{children}</Stack>
    </Paper>
  );
}

function SeverityField(props: {
  value: Severity | null;
  onChange: (s: Severity) => void;
  error?: string;
  impactAnswer: string | null;
  onImpactAnswer: (v: string) => void;
  suggestion: ReturnType<typeof suggestSeverity>;
}) {
  const { value, onChange, error, impactAnswer, onImpactAnswer, suggestion } = props;
  return (
    <Stack gap="sm">
      <Paper p="sm" bg="#f6f8fc" withBorder={false} component="section" aria-labelledby="severity-helper">
        <Group gap={6} mb={6}>
          <IconBulb size={18} aria-hidden />
          <Text id="severity-helper" size="sm" fw={600}>
            Severity helper
          </Text>
        </Group>
        <Radio.Group label="Can your users still do their main work?" value={impactAnswer} onChange={onImpactAnswer} size="sm">
          <Stack gap={6} mt={6}>
            {IMPACT_ANSWERS.map((a) => (
              <Radio key={a.value} value={a.value} label={a.label} />
            ))}
          </Stack>
        </Radio.Group>
        {suggestion && (
          <Group mt="sm" gap="sm" aria-live="polite" data-testid="severity-suggestion">
            <Text size="sm">
              Suggested: <strong>{SEVERITY_DEFINITIONS[suggestion.severity].name}</strong> ({suggestion.why}).
            </Text>
            {value !== suggestion.severity && (
              <Button size="compact-sm" variant="light" onClick={() => onChange(suggestion.severity)}>
                Use {SEVERITY_SHORT[suggestion.severity]}
              </Button>
            )}
          </Group>
        )}
      </Paper>
      <Radio.Group id={fieldId('severity')} label="Severity" value={value} onChange={(v) => onChange(v as Severity)} error={error} required>
        <Stack gap="xs" mt={6}>
          {SEVERITIES.map((s) => {
            const d = SEVERITY_DEFINITIONS[s];
            return (
              <Radio
                key={s}
                value={s}
                label={d.name}
                description={`${d.definition}${d.examples.length ? `, e.g. ${d.examples.join('; ')}` : ''}.`}
              />
            );
          })}
        </Stack>
      </Radio.Group>
    </Stack>
  );
}

function targetSentence(t: ClockTarget): string {
  if (t.kind === 'wall_clock' || t.kind === 'business_days') return `within ${t.label}`;
  return t.label;
}

function joinChannels(list: string[], either: boolean): string {
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} ${either ? 'or' : 'and'} ${list[list.length - 1]}`;
}

/** What Claresia commits to for the chosen severity in this tenant's mode (seed 000 tables). */
function Commitments({ severity, mode, plane }: { severity: Severity | null; mode: ServiceMode; plane: Plane | null }) {
  if (!severity) {
    return (
      <Paper p="lg" component="section" aria-label="What Claresia commits to">
        <Group gap="xs" mb="xs">
          <IconClock size={20} aria-hidden />
          <Title order={2} size="h4">
            What happens next
          </Title>
        </Group>
        <Text size="sm">Choose a severity to see how fast a Claresia engineer responds and which channels to use as well.</Text>
      </Paper>
    );
  }
  const response = responseTarget(severity, mode);
  const policy = SLA_POLICY[severity][mode];
  const channels = requiredChannels(severity, mode).map((c) => CHANNEL_LABELS[c]);
  const assisting = mode === 'C' && plane === 'data_plane';
  return (
    <Paper p="lg" component="section" aria-label="What Claresia commits to" data-testid="commitments">
      <Group gap="xs" mb="sm" justify="space-between">
        <Group gap="xs">
          <IconClock size={20} aria-hidden />
          <Title order={2} size="h4">
            What happens next
          </Title>
        </Group>
        <SeverityBadge severity={severity} />
      </Group>
      <Stack gap="sm">
        <Text size="md" fw={600} data-testid="response-target">
          {assisting ? 'For reference only: your team owns this incident. ' : ''}A Claresia engineer will acknowledge {targetSentence(response)}.
        </Text>
        <Text size="sm">
          Full restoration: {policy.restoration.kind === 'wall_clock' ? `${policy.restoration.label} target` : policy.restoration.label}. Status updates every{' '}
          {policy.statusUpdate.label} while the incident is active.
        </Text>
        <Box>
          <Text size="sm" fw={600}>
            Also tell us through
          </Text>
          <Text size="sm" data-testid="required-channels">
            {joinChannels(channels, severity === 'sev3')}.
          </Text>
        </Box>
        <Text size="xs" c="dimmed">
          {MODE_LABELS[mode]} commitments. Claresia will never ask for your IdP credentials, LLM platform API keys or end-user passwords.
        </Text>
      </Stack>
    </Paper>
  );
}
