import type { Ref } from 'react';
import { Alert, Anchor, List } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { fieldMessage } from '../../lib/forms';
import { FIELD_LABELS, FIELD_ORDER, fieldId, focusField, type FieldErrors } from './draft';

/** "Please check 3 fields": one link per control with an error, in form order; a link moves the focus to its control. */
export function ErrorSummary({
  ref,
  count,
  errors,
  serverErrors,
  submitted,
}: {
  ref: Ref<HTMLDivElement>;
  count: number;
  errors: FieldErrors;
  serverErrors: FieldErrors;
  submitted: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Alert ref={ref} tabIndex={-1} color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title={t('errors.summary', { count })} role="alert">
      {/* Each link a 24 px target (WCAG 2.5.8), the list spaced so they do not touch. */}
      <List size="sm" spacing={4}>
        {FIELD_ORDER.filter((k) => serverErrors[k] ?? (submitted ? errors[k] : undefined)).map((k) => (
          <List.Item key={k}>
            <Anchor
              href={`#${fieldId(k)}`}
              size="sm"
              display="inline-block"
              lh="24px"
              onClick={(e) => {
                e.preventDefault();
                focusField(k);
              }}
            >
              {FIELD_LABELS[k]}: {fieldMessage((serverErrors[k] ?? errors[k])!)}
            </Anchor>
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
