import { useState, type FormEvent } from 'react';
import { Badge, Box, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CredentialHealthItem } from '@portal/contracts';
import { ApiError } from '../../api/client';
import { credentialHealthApi } from '../../api/credential-health';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { fieldMessage, toFieldMap } from '../../lib/forms';

const STATUS: Record<CredentialHealthItem['status'], { label: string; bg: string; fg: string }> = {
  expired: { label: 'Expired', bg: '#fbe3e3', fg: '#8a1111' },
  expiring: { label: 'Expires soon', bg: '#fff4ce', fg: '#5c4400' },
  unused: { label: 'Unused 90 days', bg: '#e7f0fb', fg: '#0b3d91' },
  ok: { label: 'OK', bg: '#e6f4ea', fg: '#1e4620' },
  no_expiry: { label: 'No expiry', bg: '#f1f3f5', fg: '#343a40' },
};

/** Settings → credential health: what expires when, and the weekly digest with 30/7/1-day alerts. */
export function CredentialHealth() {
  const qc = useQueryClient();
  const report = useQuery({ queryKey: ['credential-health'], queryFn: credentialHealthApi.report });
  const [email, setEmail] = useState('');
  const subscribe = useMutation({
    mutationFn: () => credentialHealthApi.subscribe(email),
    onSuccess: (r) => {
      qc.setQueryData(['credential-health'], r);
      setEmail('');
      notifications.show({ color: 'green', message: 'Credential-health digest subscribed' });
    },
  });
  const unsubscribe = useMutation({
    mutationFn: credentialHealthApi.unsubscribe,
    onSuccess: (r) => qc.setQueryData(['credential-health'], r),
  });
  const fields = subscribe.error instanceof ApiError ? toFieldMap(subscribe.error.fields) : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    subscribe.mutate();
  };
  const sub = report.data?.subscription;
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="credential-health-title" data-testid="credential-health">
      <Title order={2} size="h3" id="credential-health-title">
        Credential health
      </Title>
      <Text size="sm" mt={4} mb="sm">
        Every credential the portal knows for your organisation and when it expires. Subscribe to a weekly digest; alerts also go out 30, 7 and 1 days before
        one expires.
      </Text>
      {report.isError && <ApiErrorAlert error={report.error} />}
      {report.data && (
        <Stack gap="sm">
          {report.data.items.length === 0 ? (
            <Text size="sm">No credentials with an expiry yet.</Text>
          ) : (
            <Box style={{ overflowX: 'auto' }} tabIndex={0} role="region" aria-label="Credentials">
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Credential</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th>Status</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {report.data.items.map((i) => (
                    <Table.Tr key={i.key} data-testid="credential-row">
                      <Table.Td>{i.name}</Table.Td>
                      <Table.Td>{i.expiresAt ? `${i.expiresAt.slice(0, 10)} (${i.daysLeft} days)` : '—'}</Table.Td>
                      <Table.Td>
                        <Badge styles={{ root: { background: STATUS[i.status].bg, color: STATUS[i.status].fg, textTransform: 'none' } }}>
                          {STATUS[i.status].label}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Box>
          )}
          {report.data.notes.map((n) => (
            <Text key={n} size="xs">
              {n}
            </Text>
          ))}
          {sub ? (
            <Group gap="sm">
              <Text size="sm" data-testid="digest-subscription">
                The weekly digest goes to <strong>{sub.email}</strong>.
              </Text>
              <Button variant="default" size="xs" onClick={() => unsubscribe.mutate()} loading={unsubscribe.isPending}>
                Stop the digest
              </Button>
            </Group>
          ) : (
            <form onSubmit={submit} noValidate aria-label="Credential-health digest">
              <Group align="flex-end" gap="sm" wrap="wrap">
                <TextInput
                  label="Send the weekly digest to"
                  type="email"
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  error={fields.email ? fieldMessage(fields.email) : undefined}
                  style={{ flex: 1, minWidth: 220 }}
                />
                <Button type="submit" loading={subscribe.isPending}>
                  Subscribe
                </Button>
              </Group>
              {subscribe.isError && !fields.email && <ApiErrorAlert error={subscribe.error} />}
            </form>
          )}
        </Stack>
      )}
    </Paper>
  );
}
