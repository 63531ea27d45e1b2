import { Alert, Anchor, Box, Button, Container, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { statusApi } from '../../api/status-page';
import { ApiError } from '../../api/client';
import { usePageTitle } from '../../hooks/use-page-title';

/**
 * The links in status mails. Opening the page changes nothing (mail scanners open links): the button does.
 * `confirm`: double opt-in; `unsubscribe`: the in-body link (mail clients use the one-click header instead).
 */
const sentence = (m: string) => (m.charAt(0).toUpperCase() + m.slice(1)).replace(/([^.])$/, '$1.');

export function StatusTokenPage({ action }: { action: 'confirm' | 'unsubscribe' }) {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const title = action === 'confirm' ? 'Confirm your subscription' : 'Unsubscribe from status updates';
  usePageTitle(title);
  const m = useMutation<unknown>({ mutationFn: () => (action === 'confirm' ? statusApi.confirm(token) : statusApi.unsubscribe(token)) });
  return (
    <Box component="main" py="xl">
      <Container size="sm">
        <Stack gap="md">
          <Title order={1} className="page-title">
            {title}
          </Title>
          {m.isSuccess ? (
            <Alert color="green" variant="light" title={action === 'confirm' ? 'Subscription confirmed' : 'Unsubscribed'} role="status">
              <Text size="sm">
                {action === 'confirm' ? 'You will receive updates for the services and regions you chose.' : 'You will receive no more status updates.'}
              </Text>
            </Alert>
          ) : (
            <>
              <Text>
                {action === 'confirm' ? 'Confirm to start receiving status updates at this address.' : 'Stop receiving status updates at this address.'}
              </Text>
              {m.isError && (
                <Box role="alert" p="sm" style={{ border: '1px solid #c92a2a', borderRadius: 8 }}>
                  <Text size="sm" fw={600} c="var(--portal-danger-text)">
                    {m.error instanceof ApiError ? sentence(m.error.message) : 'Something went wrong; try again.'}
                  </Text>
                </Box>
              )}
              <div>
                <Button onClick={() => m.mutate()} loading={m.isPending} disabled={!token}>
                  {action === 'confirm' ? 'Confirm subscription' : 'Unsubscribe'}
                </Button>
              </div>
            </>
          )}
          <Anchor underline="always" component={Link} to="/status">
            Back to the status page
          </Anchor>
        </Stack>
      </Container>
    </Box>
  );
}
