import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Select, Stack, Tabs, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconCheck } from '@tabler/icons-react';
import { resolveIncidentSchema, STATUS_UPDATE_STATES, STATUS_UPDATE_TEMPLATES, statusUpdateSchema, type StatusUpdateState } from '@portal/contracts';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { IncidentDetail } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useIncidentMutation } from '../../hooks/use-incidents';
import { fieldMessage } from '../../lib/forms';
import { UPDATE_STATE_LABELS } from '../../lib/labels';
import { Card } from './Card';
import { isActive } from './is-active';

/** Support engineer's controls: acknowledge, post an update from a template, wait on the customer, resolve, close. */
export function SupportActions({ incident: i }: { incident: IncidentDetail }) {
  const active = isActive(i);
  const ack = useIncidentMutation(i.id, () => api.acknowledge(i.id));
  const close = useIncidentMutation(i.id, () => api.close(i.id));
  return (
    <Card title="Support actions" testId="support-actions">
      <Stack gap="md">
        {active && !i.acknowledgedAt && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title="Not acknowledged yet">
            <Stack gap="xs">
              <Text size="sm">
                Acknowledge once you have told the customer in their channel that a human engineer is on it. This stops the initial-response clock.
              </Text>
              <Group>
                <Button
                  color="red.9"
                  leftSection={<IconCheck size={16} aria-hidden />}
                  loading={ack.isPending}
                  onClick={() => ack.mutate(undefined, { onSuccess: () => notifications.show({ color: 'green', message: `${i.reference} acknowledged` }) })}
                >
                  Acknowledge
                </Button>
              </Group>
              {ack.error && <ApiErrorAlert error={ack.error} />}
            </Stack>
          </Alert>
        )}
        {active ? (
          <Tabs defaultValue="update" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="update">Post update</Tabs.Tab>
              <Tabs.Tab value="wait" disabled={i.status === 'waiting_on_customer'}>
                Wait on customer
              </Tabs.Tab>
              <Tabs.Tab value="resolve">Resolve</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="update" pt="md">
              <StatusUpdateForm incident={i} />
            </Tabs.Panel>
            <Tabs.Panel value="wait" pt="md">
              <WaitForm incident={i} />
            </Tabs.Panel>
            <Tabs.Panel value="resolve" pt="md">
              <ResolveForm incident={i} />
            </Tabs.Panel>
          </Tabs>
        ) : i.status === 'resolved' ? (
          <Group justify="space-between">
            <Text size="sm">Resolved. Close it once the customer agrees; the post-incident review clock keeps running.</Text>
            <Button variant="default" loading={close.isPending} onClick={() => close.mutate(undefined)}>
              Close incident
            </Button>
            {close.error && <ApiErrorAlert error={close.error} />}
          </Group>
        ) : (
          <Text size="sm">This incident is closed.</Text>
        )}
      </Stack>
    </Card>
  );
}

function StatusUpdateForm({ incident: i }: { incident: IncidentDetail }) {
  const initial: StatusUpdateState = i.status === 'identified' || i.status === 'monitoring' ? i.status : 'investigating';
  const [state, setState] = useState<StatusUpdateState>(initial);
  const [body, setBody] = useState(STATUS_UPDATE_TEMPLATES[initial]);
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (v: { state: StatusUpdateState; body: string }) => api.postStatusUpdate(i.id, v));
  const parsed = statusUpdateSchema.safeParse({ state, body });
  const bodyError = !parsed.success ? parsed.error.issues.find((x) => x.path[0] === 'body')?.message : undefined;
  const placeholder = /\{[a-z]+\}/.exec(body)?.[0];
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().body : undefined;

  const pick = (next: StatusUpdateState) => {
    // The template follows the state until the engineer edits the text.
    if (body === STATUS_UPDATE_TEMPLATES[state] || !body.trim()) setBody(STATUS_UPDATE_TEMPLATES[next]);
    setState(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!parsed.success || placeholder) return;
    m.mutate(parsed.data, {
      onSuccess: () => {
        setTouched(false);
        notifications.show({ color: 'green', message: `Update posted: ${UPDATE_STATE_LABELS[state]}` });
        setBody(STATUS_UPDATE_TEMPLATES[state]);
      },
    });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Post a status update">
      <Stack gap="sm">
        <Select
          label="State"
          data={STATUS_UPDATE_STATES.map((s) => ({ value: s, label: UPDATE_STATE_LABELS[s] }))}
          value={state}
          onChange={(v) => v && pick(v as StatusUpdateState)}
          allowDeselect={false}
        />
        <Textarea
          label="Update for the customer"
          description="Prefilled from the template for this state; replace the {placeholders}. Posted to the portal and threaded in the customer's channel."
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          error={
            touched && bodyError
              ? fieldMessage(bodyError)
              : touched && placeholder
                ? `Replace ${placeholder} with the real text`
                : serverError
                  ? fieldMessage(serverError)
                  : undefined
          }
          autosize
          minRows={3}
          required
        />
        {m.error && !serverError && <ApiErrorAlert error={m.error} />}
        <Group justify="flex-end">
          <Button type="submit" loading={m.isPending}>
            Post update
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function WaitForm({ incident: i }: { incident: IncidentDetail }) {
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (r: string) => api.updateIncident(i.id, { status: 'waiting_on_customer', reason: r }));
  const empty = reason.trim().length === 0;
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().reason : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (empty) return;
    m.mutate(reason.trim(), {
      onSuccess: () => (
        setReason(''),
        setTouched(false),
        notifications.show({ color: 'green', message: 'Question sent; the restoration clock is paused until the customer answers.' })
      ),
    });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Wait on the customer">
      <Stack gap="sm">
        <Text size="sm">Pauses the restoration clock until the customer answers. They see your question in their banner and timeline.</Text>
        <Textarea
          label="What do you need from the customer?"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={touched && empty ? 'Say what you need from the customer' : serverError ? fieldMessage(serverError) : undefined}
          autosize
          minRows={2}
          required
        />
        {m.error && !serverError && <ApiErrorAlert error={m.error} />}
        <Group justify="flex-end">
          <Button type="submit" variant="default" loading={m.isPending}>
            Set waiting on customer
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ResolveForm({ incident: i }: { incident: IncidentDetail }) {
  const [summary, setSummary] = useState('');
  const [touched, setTouched] = useState(false);
  const m = useIncidentMutation(i.id, (s: string) => api.resolve(i.id, { summary: s }));
  const parsed = resolveIncidentSchema.safeParse({ summary });
  const serverError = m.error instanceof ApiError ? m.error.fieldMap().summary : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!parsed.success) return;
    m.mutate(parsed.data.summary, { onSuccess: () => notifications.show({ color: 'green', message: `${i.reference} resolved` }) });
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Resolve the incident">
      <Stack gap="sm">
        <Textarea
          label="Resolution summary"
          description="What was wrong and what restored service. Sev 1 and Sev 2 get a post-incident review within 5 business days."
          value={summary}
          onChange={(e) => setSummary(e.currentTarget.value)}
          error={touched && !parsed.success ? 'Write a short summary first' : serverError ? fieldMessage(serverError) : undefined}
          autosize
          minRows={3}
          required
        />
        {m.error && !serverError && <ApiErrorAlert error={m.error} />}
        <Group justify="flex-end">
          <Button type="submit" color="green.9" loading={m.isPending} leftSection={<IconCheck size={16} aria-hidden />}>
            Resolve incident
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
