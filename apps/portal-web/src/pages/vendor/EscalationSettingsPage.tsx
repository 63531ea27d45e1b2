import { useState, type FormEvent } from 'react';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Container,
  Group,
  Loader,
  NativeSelect,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  SEVERITIES_FOR_PAGING,
  updateVendorNotificationSettingsSchema,
  zodIssuesToFields,
  type EscalationStep,
  type UpdateVendorNotificationSettingsInput,
  type VendorNotificationSettingsView,
} from '@portal/contracts';
import { ApiError } from '../../api/client';
import { vendorSettingsApi } from '../../api/vendor-settings';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Time } from '../../components/Time';
import { usePageTitle } from '../../hooks/use-page-title';
import { fieldMessage, toFieldMap } from '../../lib/forms';

const SEVERITY_LABEL: Record<string, string> = { sev1: 'Sev1', sev2: 'Sev2', sev3: 'Sev3', sev4: 'Sev4' };
const CONDITIONS = [
  { value: 'unacknowledged', label: 'not acknowledged for' },
  { value: 'open', label: 'not resolved for' },
];

interface StepDraft {
  severity: string;
  condition: string;
  afterMinutes: number | string;
  target: string;
  email: string;
}
const toDraft = (s: EscalationStep): StepDraft => ({ ...s, email: s.email ?? '' });
const fromDraft = (d: StepDraft) => ({
  severity: d.severity,
  condition: d.condition,
  afterMinutes: typeof d.afterMinutes === 'number' ? d.afterMinutes : Number.NaN,
  target: d.target.trim(),
  ...(d.email.trim() ? { email: d.email.trim() } : {}),
});

/** Vendor settings → Escalation and paging: the ladder (seed 003) and the PagerDuty routing key. */
export function EscalationSettingsPage() {
  usePageTitle('Escalation and paging');
  const settings = useQuery({ queryKey: ['vendor-notification-settings'], queryFn: vendorSettingsApi.notificationSettings });
  return (
    <Container size="lg">
      <Stack gap="lg">
        <div>
          <Title order={1} className="page-title">
            Escalation and paging
          </Title>
          <Text size="sm" c="dimmed">
            Who is paged for a new incident, and who is told when one stays unacknowledged or unresolved. Changes apply to every tenant’s next steps.
          </Text>
        </div>
        {settings.isPending ? (
          <Loader size="sm" aria-label="Loading the settings" />
        ) : settings.isError ? (
          <ApiErrorAlert error={settings.error} />
        ) : (
          <SettingsForm key={settings.data.updatedAt ?? 'deployment'} current={settings.data} />
        )}
      </Stack>
    </Container>
  );
}

function SettingsForm({ current }: { current: VendorNotificationSettingsView }) {
  const qc = useQueryClient();
  const [steps, setSteps] = useState<StepDraft[]>(current.escalation.map(toDraft));
  const [severities, setSeverities] = useState<string[]>(current.pagerDutySeverities);
  const [routingKey, setRoutingKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  const body = {
    escalation: steps.map(fromDraft),
    pagerDutySeverities: severities,
    ...(removeKey ? { pagerDutyRoutingKey: null } : routingKey.trim() ? { pagerDutyRoutingKey: routingKey.trim() } : {}),
  };
  const parsed = updateVendorNotificationSettingsSchema.safeParse(body);
  const saved = (v: VendorNotificationSettingsView, message: string) => {
    qc.setQueryData(['vendor-notification-settings'], v);
    setRoutingKey('');
    setRemoveKey(false);
    notifications.show({ color: 'green', message });
  };
  const save = useMutation({
    mutationFn: (input: UpdateVendorNotificationSettingsInput) => vendorSettingsApi.saveNotificationSettings(input),
    onSuccess: (v) => saved(v, 'Escalation and paging settings saved'),
  });
  const reset = useMutation({
    mutationFn: vendorSettingsApi.resetNotificationSettings,
    onSuccess: (v) => saved(v, 'Back to the deployment’s defaults'),
  });
  const errors = {
    ...(submitted && !parsed.success ? toFieldMap(zodIssuesToFields(parsed.error.issues)) : {}),
    ...(save.error instanceof ApiError ? save.error.fieldMap() : {}),
  };
  const err = (field: string) => (errors[field] ? fieldMessage(errors[field]) : undefined);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    if (parsed.success) save.mutate(parsed.data);
  };
  const setStep = (i: number, patch: Partial<StepDraft>) => setSteps((all) => all.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Escalation and paging settings">
      <Stack gap="lg">
        <Group gap="xs">
          <Badge variant="light" color={current.source === 'settings' ? 'blue' : 'gray'}>
            {current.source === 'settings' ? 'Changed in the portal' : 'Deployment defaults'}
          </Badge>
          {current.updatedAt && (
            <Text size="sm">
              Last changed by {current.updatedBy} <Time iso={current.updatedAt} />
            </Text>
          )}
        </Group>

        <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="pagerduty-title">
          <Title order={2} size="h3" id="pagerduty-title">
            PagerDuty
          </Title>
          <Text size="sm" mt={4} mb="sm">
            New incidents of these severities trigger the vendor’s on-call through the Events API v2; acknowledging and resolving in the portal acknowledges and
            resolves the page. The routing key is stored encrypted and never shown again.
          </Text>
          <Stack gap="sm" maw={560}>
            <Checkbox.Group label="Page the on-call for" value={severities} onChange={setSeverities} error={err('pagerDutySeverities')}>
              <Group mt={6}>
                {SEVERITIES_FOR_PAGING.map((s) => (
                  <Checkbox key={s} value={s} label={SEVERITY_LABEL[s]} />
                ))}
              </Group>
            </Checkbox.Group>
            <Text size="sm">{current.pagerDutyKeyHint ? `Routing key ending ${current.pagerDutyKeyHint}.` : 'No routing key: nobody is paged.'}</Text>
            <TextInput
              label={current.pagerDutyKeyHint ? 'Replace the routing key' : 'Routing key'}
              description="The integration key of the PagerDuty service (32 characters)."
              type="password"
              autoComplete="off"
              value={routingKey}
              disabled={removeKey}
              onChange={(e) => setRoutingKey(e.currentTarget.value)}
              error={err('pagerDutyRoutingKey')}
            />
            {current.pagerDutyKeyHint && (
              <Checkbox label="Remove the routing key (stop paging)" checked={removeKey} onChange={(e) => setRemoveKey(e.currentTarget.checked)} />
            )}
          </Stack>
        </Paper>

        <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="ladder-title">
          <Title order={2} size="h3" id="ladder-title">
            Escalation ladder
          </Title>
          <Text size="sm" mt={4} mb="sm">
            Each step fires once per incident, counted from the declaration (or the raise to that severity), and is recorded in the incident’s audit trail.
            Acknowledging stops the “not acknowledged” steps; resolving stops all of them. With an email address the step is also sent there.
          </Text>
          <Stack gap="md">
            {steps.length === 0 && <Text size="sm">No steps: nobody is escalated to.</Text>}
            {steps.map((s, i) => (
              <Paper key={i} withBorder p="sm" radius="sm" component="fieldset" aria-label={`Step ${i + 1}`} data-testid="escalation-step">
                <SimpleGrid cols={{ base: 1, sm: 2, md: 5 }} spacing="sm">
                  <NativeSelect
                    label="Severity"
                    value={s.severity}
                    data={SEVERITIES_FOR_PAGING.map((v) => ({ value: v, label: SEVERITY_LABEL[v] }))}
                    onChange={(e) => setStep(i, { severity: e.currentTarget.value })}
                    error={err(`escalation.${i}.severity`)}
                  />
                  <NativeSelect
                    label="When"
                    value={s.condition}
                    data={CONDITIONS}
                    onChange={(e) => setStep(i, { condition: e.currentTarget.value })}
                    error={err(`escalation.${i}.condition`)}
                  />
                  <NumberInput
                    label="Minutes"
                    min={1}
                    max={10080}
                    allowDecimal={false}
                    value={s.afterMinutes}
                    onChange={(v) => setStep(i, { afterMinutes: v })}
                    error={err(`escalation.${i}.afterMinutes`)}
                  />
                  <TextInput
                    label="Escalate to"
                    value={s.target}
                    onChange={(e) => setStep(i, { target: e.currentTarget.value })}
                    error={err(`escalation.${i}.target`)}
                  />
                  <TextInput
                    label="Email (optional)"
                    type="email"
                    value={s.email}
                    onChange={(e) => setStep(i, { email: e.currentTarget.value })}
                    error={err(`escalation.${i}.email`)}
                  />
                </SimpleGrid>
                <Group justify="flex-end" mt="xs">
                  <Button variant="subtle" color="red" size="compact-sm" onClick={() => setSteps((all) => all.filter((_, j) => j !== i))}>
                    Remove step {i + 1}
                  </Button>
                </Group>
              </Paper>
            ))}
            <Group>
              <Button
                variant="light"
                onClick={() => setSteps((all) => [...all, { severity: 'sev1', condition: 'unacknowledged', afterMinutes: 15, target: '', email: '' }])}
              >
                Add a step
              </Button>
            </Group>
          </Stack>
        </Paper>

        {submitted && !parsed.success && (
          <Alert color="red" variant="light" title="Some fields need attention" role="alert">
            Check the fields marked above.
          </Alert>
        )}
        <ApiErrorAlert error={save.error ?? reset.error} />
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save
          </Button>
          {current.source === 'settings' && (
            <Button variant="default" onClick={() => reset.mutate()} loading={reset.isPending}>
              Reset to the deployment’s defaults
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
