import { Alert, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { ApiError } from '../api/client';
import { fieldMessage, fieldName } from '../lib/forms';

/** An API error as a sentence a person can act on, with the correlation id support will ask for. */
export function ApiErrorAlert({ error, title, listFields = false }: { error: unknown; title?: string; listFields?: boolean }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  // A refused form names its fields in words ("OIDC issuer: Required"), not the API's paths and validator text.
  const invalidFields = api && api.status === 400 && api.fields.length > 0 ? api.fields : null;
  const message = invalidFields
    ? `${invalidFields.length === 1 ? 'One field needs' : `${invalidFields.length} fields need`} a change before this can be saved.`
    : api
      ? sentence(api.message)
      : 'Something went wrong. Try again; if it keeps happening, contact support@claresia.com.';
  const heading = title ?? (api ? headingFor(api) : 'Something went wrong');
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title={heading} role="alert">
      <Text size="sm">{message}</Text>
      {(listFields || invalidFields) && api && api.fields.length > 0 && (
        <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
          {api.fields.map((f) => (
            <li key={f.field + f.message}>
              <Text size="sm" span>
                {f.field === 'body' ? fieldMessage(f.message) : `${fieldName(f.field)}: ${fieldMessage(f.message)}`}
              </Text>
            </li>
          ))}
        </ul>
      )}
      {api?.correlationId && (
        <Text size="xs" mt={4}>
          Reference for support: <code>{api.correlationId}</code>
        </Text>
      )}
    </Alert>
  );
}

function headingFor(e: ApiError): string {
  switch (e.status) {
    case 0:
      return 'No connection to the portal';
    case 400:
      return 'Please check the highlighted fields';
    case 401:
      return 'Your session has ended';
    case 403:
      return 'Not allowed';
    case 404:
      return 'Not found';
    case 409:
      return 'That change is not possible now';
    case 429:
      return 'Too many requests';
    default:
      return e.status >= 500 ? 'The portal had a problem' : 'The request was refused';
  }
}

export const sentence = (s: string) => {
  const t = s.trim();
  if (!t) return t;
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
};
