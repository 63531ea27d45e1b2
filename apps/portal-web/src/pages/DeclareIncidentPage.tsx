import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Container, Grid, Group, NativeSelect, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import type { Incident } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { DataPlaneHealthPanel } from '../components/DataPlaneHealth';
import { Time } from '../components/Time';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { LANGUAGES, setLanguage, type Language } from '../i18n/i18n';
import { MODE_LABELS } from '../lib/labels';
import { Commitments } from './declare/Commitments';
import { FIELD_ORDER, focusField, serverFieldErrors } from './declare/draft';
import { clearDraft, draftKey, loadDraft, newIdempotencyKey, saveDraft } from './declare/draft-store';
import { ErrorSummary } from './declare/ErrorSummary';
import { ContextSection, ImpactSection, PlaneSection, WhatIsHappeningSection, WhenSection } from './declare/IntakeSections';
import { LeaveGuard } from './declare/LeaveGuard';
import { PortalUnreachable } from './declare/PortalUnreachable';
import { useDeclarationSender } from './declare/use-declaration-sender';
import { useDraftForm } from './declare/use-draft-form';

/** What the incident page receives after a declaration: it shows the next steps first (issue 18, item 4). */
export interface DeclaredState {
  declared: true;
}

export function DeclareIncidentPage() {
  const me = useSignedIn();
  const tenant = me.tenant!;
  const { t, i18n } = useTranslation();
  usePageTitle(t('page.title'));
  const mode = tenant.serviceMode;
  const navigate = useNavigate();
  const qc = useQueryClient();
  // Phones show the commitments right under the severity; wide screens keep them in a sticky side panel.
  const wide = useMediaQuery('(min-width: 62em)', true, { getInitialValueInEffect: false });
  // The draft kept in this browser for this tenant and user (draft-store.ts), read once when the page opens.
  const storageKey = draftKey(tenant.id, me.principal.id);
  const [stored] = useState(() => loadDraft(storageKey));
  // Quick declaration (issue 18): Sev 1/2 in five fields, the rest on the incident page within the response target.
  const [params] = useSearchParams();
  const [quick, setQuick] = useState(stored?.quick ?? params.get('quick') === '1');
  const form = useDraftForm(tenant, stored?.draft ?? null, quick);
  const { draft, errors, input, errorCount, submitted, serverErrors } = form;
  const [idempotencyKey, setIdempotencyKey] = useState<string | null>(stored?.idempotencyKey ?? null);
  const [refused, setRefused] = useState<unknown>(null);
  const [restoredAt, setRestoredAt] = useState<string | null>(stored?.savedAt ?? null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const done = useRef(false);

  const onDeclared = (incident: Incident) => {
    done.current = true;
    clearDraft(storageKey);
    void qc.invalidateQueries({ queryKey: ['incidents'] });
    notifications.show({
      color: 'green',
      title: `${incident.reference} declared`,
      message: 'Claresia has been notified. Follow the clocks and updates on this page.',
    });
    navigate(`/incidents/${incident.id}`, { state: { declared: true } satisfies DeclaredState });
  };
  const onRefused = (e: unknown) => {
    setRefused(e);
    // The draft changed after an attempt the portal may have received: the next Declare is a new declaration.
    if (e instanceof ApiError && e.code === 'idempotency_key_reused') setIdempotencyKey(null);
    // Field errors go under their controls, the first one focused; anything else shows above the form.
    if (e instanceof ApiError && e.fields.length && e.code !== 'idempotency_key_reused') {
      const mapped = serverFieldErrors(e.fields);
      form.setServerErrors(mapped);
      const first = FIELD_ORDER.find((k) => mapped[k]);
      if (first) focusField(first);
    } else {
      summaryRef.current?.focus();
    }
  };
  const sender = useDeclarationSender(onDeclared, onRefused);
  const sending = sender.state !== 'idle';

  // Every change is kept in this browser; a declaration waiting for the portal is marked so a reload resumes it.
  useEffect(() => {
    if (done.current || !form.dirty) return;
    saveDraft(storageKey, { draft, idempotencyKey, queued: sending, quick });
  }, [storageKey, draft, idempotencyKey, sending, form.dirty, quick]);

  // A declaration that was waiting for the portal when the page was closed goes on by itself.
  useEffect(() => {
    if (stored?.queued && stored.idempotencyKey && input) sender.send(input, stored.idempotencyKey, quick);
    // once, when the page opens
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    form.setSubmitted(true);
    setRefused(null);
    if (!input) {
      const first = FIELD_ORDER.find((k) => errors[k]);
      if (first) focusField(first);
      return;
    }
    const key = idempotencyKey ?? newIdempotencyKey();
    setIdempotencyKey(key);
    // Kept before the first byte leaves: a reload mid-request resends with this key.
    saveDraft(storageKey, { draft, idempotencyKey: key, queued: true, quick });
    sender.send(input, key, quick);
  };

  const discard = () => {
    sender.stop();
    clearDraft(storageKey);
    form.reset();
    setIdempotencyKey(null);
    setRestoredAt(null);
    setRefused(null);
  };

  const commitments = <Commitments severity={draft.severity} mode={mode} plane={draft.plane} />;

  return (
    // Only the declaration flow is translated so far: its language is marked here, the shell stays English.
    <Container size="xl" lang={i18n.resolvedLanguage ?? 'en'}>
      <LeaveGuard shouldBlock={() => (form.dirty || sending) && !done.current} message={sending ? t('leave.queued') : t('leave.kept')} onDiscard={discard} />
      <Stack gap="xs" mb="lg">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Title order={1} className="page-title">
            {t('page.title')}
          </Title>
          {/* The declaration flow's language (issue 18: the message catalogue, i18n/); remembered in this browser. */}
          <NativeSelect
            label={t('page.language')}
            size="xs"
            value={i18n.resolvedLanguage ?? 'en'}
            onChange={(e) => setLanguage(e.currentTarget.value as Language)}
            data={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
            w={130}
          />
        </Group>
        <Text size="sm" c="dimmed">
          {t('page.intro', { tenant: tenant.displayName, mode: MODE_LABELS[mode] })}{' '}
          <span className="required-mark" aria-hidden>
            *
          </span>
          <span className="sr-only">{t('page.withAsterisk')}</span> {t('page.requiredSuffix')}
        </Text>
      </Stack>
      <form onSubmit={submit} noValidate aria-label={t('page.formLabel')}>
        <Grid gutter="lg">
          <Grid.Col span={wide ? 8 : 12}>
            <Stack gap="lg">
              {restoredAt && (
                <Alert color="blue" variant="light" title={t('restored.title')} data-testid="draft-restored">
                  <Group justify="space-between" gap="sm">
                    <Text size="sm">
                      <Trans i18nKey="restored.body" components={{ at: <Time iso={restoredAt} /> }} />
                    </Text>
                    <Button size="xs" variant="default" onClick={discard}>
                      {t('restored.startOver')}
                    </Button>
                  </Group>
                </Alert>
              )}
              {sender.slow && (
                <PortalUnreachable
                  me={me}
                  draft={draft}
                  waiting={sender.state === 'waiting'}
                  attempts={sender.attempts}
                  onRetry={() => void sender.retryNow()}
                  onStop={sender.stop}
                />
              )}
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
              {refused !== null && !(refused instanceof ApiError && refused.fields.length && refused.code !== 'idempotency_key_reused') && (
                <ApiErrorAlert error={refused} title={t('errors.notDeclared')} />
              )}

              <fieldset disabled={sending} className="plain-fieldset">
                <Stack gap="lg">
                  <Paper p={{ base: 'md', sm: 'lg' }} data-testid="quick-switch">
                    <Switch
                      checked={quick}
                      onChange={(e) => {
                        setQuick(e.currentTarget.checked);
                        // another body: a new declaration, with a key of its own
                        setIdempotencyKey(null);
                        form.setSubmitted(false);
                        form.setServerErrors({});
                        form.setDirty(true);
                      }}
                      label={t('quick.label')}
                      description={t('quick.description')}
                      size="md"
                    />
                  </Paper>
                  <WhatIsHappeningSection form={form.binding} quick={quick}>
                    {!wide && commitments}
                  </WhatIsHappeningSection>
                  <ImpactSection form={form.binding} regions={tenant.regions} quick={quick} />
                  {!quick && <WhenSection form={form.binding} />}
                  {!quick && <ContextSection form={form.binding} />}
                  {mode === 'C' && <PlaneSection form={form.binding} />}
                </Stack>
              </fieldset>

              <Group justify="flex-end" gap="sm">
                {/* Back to the list, never history.back(): a fresh tab has no page before this one. */}
                <Button variant="default" onClick={() => navigate('/incidents')}>
                  {t('page.cancel')}
                </Button>
                <Button type="submit" color="red.9" size="md" loading={sending}>
                  {t('page.submit')}
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
