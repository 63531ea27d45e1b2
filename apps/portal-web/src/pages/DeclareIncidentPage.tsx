import { useRef, type FormEvent } from 'react';
import { Box, Button, Container, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import type { DeclareIncidentInput } from '@portal/contracts';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { DataPlaneHealthPanel } from '../components/DataPlaneHealth';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { MODE_LABELS } from '../lib/labels';
import { Commitments } from './declare/Commitments';
import { FIELD_ORDER, focusField, serverFieldErrors } from './declare/draft';
import { ErrorSummary } from './declare/ErrorSummary';
import { ContextSection, ImpactSection, PlaneSection, WhatIsHappeningSection, WhenSection } from './declare/IntakeSections';
import { useDraftForm } from './declare/use-draft-form';

export function DeclareIncidentPage() {
  const me = useSignedIn();
  const tenant = me.tenant!;
  usePageTitle('Declare an incident');
  const mode = tenant.serviceMode;
  const navigate = useNavigate();
  const qc = useQueryClient();
  // Phones show the commitments right under the severity; wide screens keep them in a sticky side panel.
  const wide = useMediaQuery('(min-width: 62em)', true, { getInitialValueInEffect: false });
  const form = useDraftForm(tenant);
  const { draft, errors, input, errorCount, submitted, serverErrors } = form;
  const summaryRef = useRef<HTMLDivElement>(null);

  const declare = useMutation({
    mutationFn: (body: DeclareIncidentInput) => api.declare(body),
    onSuccess: (incident) => {
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      notifications.show({
        color: 'green',
        title: `${incident.reference} declared`,
        message: 'Claresia has been notified. Follow the clocks and updates on this page.',
      });
      navigate(`/incidents/${incident.id}`);
    },
    onError: (e) => {
      // Field errors go under their controls, the first one focused; anything else shows above the form.
      if (e instanceof ApiError && e.fields.length) {
        const mapped = serverFieldErrors(e.fields);
        form.setServerErrors(mapped);
        const first = FIELD_ORDER.find((k) => mapped[k]);
        if (first) focusField(first);
      } else {
        summaryRef.current?.focus();
      }
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    form.setSubmitted(true);
    if (!input) {
      const first = FIELD_ORDER.find((k) => errors[k]);
      if (first) focusField(first);
      return;
    }
    declare.mutate(input);
  };

  const commitments = <Commitments severity={draft.severity} mode={mode} plane={draft.plane} />;

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
              {mode === 'C' && (
                <DataPlaneHealthPanel
                  onPrefill={(p) => {
                    form.binding.update('title', p.title, 'title');
                    form.binding.update('severity', p.severity, 'severity');
                    form.binding.update('plane', p.plane, 'plane');
                    form.binding.update('symptoms', p.symptoms, 'symptoms');
                  }}
                />
              )}
              {errorCount > 0 && <ErrorSummary ref={summaryRef} count={errorCount} errors={errors} serverErrors={serverErrors} submitted={submitted} />}
              {declare.error && !(declare.error instanceof ApiError && declare.error.fields.length) && (
                <ApiErrorAlert error={declare.error} title="The incident was not declared" />
              )}

              <WhatIsHappeningSection form={form.binding}>{!wide && commitments}</WhatIsHappeningSection>
              <ImpactSection form={form.binding} regions={tenant.regions} />
              <WhenSection form={form.binding} />
              <ContextSection form={form.binding} />
              {mode === 'C' && <PlaneSection form={form.binding} />}

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
              <Box className="sticky-md">{commitments}</Box>
            </Grid.Col>
          )}
        </Grid>
      </form>
    </Container>
  );
}
