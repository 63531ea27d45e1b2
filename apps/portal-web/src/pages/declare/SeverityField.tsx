import { useState } from 'react';
import { Button, Group, Paper, Radio, Stack, Text } from '@mantine/core';
import { IconBulb } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { QUICK_SEVERITIES, SEVERITIES, SEVERITY_DEFINITIONS, type Severity } from '@portal/contracts';
import { SEVERITY_SHORT } from '../../lib/labels';
import { IMPACT_ANSWERS, suggestSeverity } from '../../lib/severity-helper';
import { fieldId } from './draft';

/**
 * The severity radios under a helper: one question ("Can your users still do their main work?") or, until it is
 * answered, the words of the title and symptoms suggest a severity the customer can take with one click.
 */
export function SeverityField(props: {
  value: Severity | null;
  onChange: (s: Severity) => void;
  error?: string;
  title: string;
  symptoms: string;
  /** Quick declaration (issue 18): only Sev 1 and Sev 2, without the helper. */
  quick?: boolean;
}) {
  const { value, onChange, error, title, symptoms, quick = false } = props;
  const [impactAnswer, setImpactAnswer] = useState<string | null>(null);
  const suggestion = suggestSeverity(impactAnswer, title, symptoms);
  const { t } = useTranslation();
  const answerLabel = (v: string) => t(v === 'question' ? 'helper.question_answer' : (`helper.${v}` as 'helper.down'));
  return (
    <Stack gap="sm">
      {!quick && (
        <Paper p="sm" bg="var(--portal-surface-subtle)" withBorder={false} component="section" aria-labelledby="severity-helper">
          <Group gap={6} mb={6}>
            <IconBulb size={18} aria-hidden />
            <Text id="severity-helper" size="sm" fw={600}>
              {t('helper.title')}
            </Text>
          </Group>
          <Radio.Group label={t('helper.question')} value={impactAnswer} onChange={setImpactAnswer} size="sm">
            <Stack gap={6} mt={6}>
              {IMPACT_ANSWERS.map((a) => (
                <Radio key={a.value} value={a.value} label={answerLabel(a.value)} />
              ))}
            </Stack>
          </Radio.Group>
          {suggestion && (
            <Group mt="sm" gap="sm" aria-live="polite" data-testid="severity-suggestion">
              <Text size="sm">
                {t('helper.suggested')} <strong>{t(`severity.${suggestion.severity}`)}</strong> ({suggestion.why}).
              </Text>
              {value !== suggestion.severity && (
                <Button size="compact-sm" variant="light" onClick={() => onChange(suggestion.severity)}>
                  {t('helper.use', { severity: SEVERITY_SHORT[suggestion.severity] })}
                </Button>
              )}
            </Group>
          )}
        </Paper>
      )}
      <Radio.Group id={fieldId('severity')} label={t('fields.severity')} value={value} onChange={(v) => onChange(v as Severity)} error={error} required>
        <Stack gap="xs" mt={6}>
          {(quick ? QUICK_SEVERITIES : SEVERITIES).map((s) => {
            const d = SEVERITY_DEFINITIONS[s];
            return (
              <Radio
                key={s}
                value={s}
                label={t(`severity.${s}`)}
                description={`${d.definition}${d.examples.length ? `, e.g. ${d.examples.join('; ')}` : ''}.`}
              />
            );
          })}
        </Stack>
      </Radio.Group>
    </Stack>
  );
}
