import { Alert, Anchor, Box, Button, Code, Container, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { TENANT_SLUG } from '@portal/contracts';
import { ssoApi } from '../api/sso';
import { Logo } from '../components/Logo';

const CODE = /^[a-z_]{1,40}$/;

/**
 * Where a refused single sign-on lands (/sign-in/error?code=…&cid=…&tenant=…). The texts come from
 * the portal's fixed catalogue by code: nothing from the address is shown except the code's own
 * words and the correlation id, so a crafted link cannot make this page say something else.
 */
export function SsoErrorPage() {
  const [params] = useSearchParams();
  const rawCode = params.get('code') ?? '';
  const code = CODE.test(rawCode) ? rawCode : 'invalid_response';
  const cid = /^[A-Za-z0-9._-]{1,64}$/.test(params.get('cid') ?? '') ? params.get('cid') : null;
  const tenant = TENANT_SLUG.safeParse(params.get('tenant') ?? '').success ? params.get('tenant') : null;
  const info = useQuery({ queryKey: ['sso-error', code], queryFn: () => ssoApi.errorInfo(code), retry: false, staleTime: Infinity });
  const signIn = tenant ? `/t/${tenant}/sign-in` : '/sign-in';

  return (
    <Box className="sign-in-bg">
      <Container size={560} component="main" id="main">
        <Box mb="lg">
          <Logo />
        </Box>
        <Paper p={{ base: 'lg', sm: 'xl' }} shadow="md">
          <Stack gap="md">
            {info.isPending ? (
              <Group gap="xs" aria-live="polite">
                <Loader size="sm" aria-label="Loading" />
                <Text size="sm">Loading…</Text>
              </Group>
            ) : (
              <>
                <Group gap="xs" wrap="nowrap" align="flex-start">
                  <IconAlertTriangle size={28} color="var(--mantine-color-red-7)" aria-hidden />
                  <Title order={1} size="h2" data-testid="sso-error-title">
                    {info.data?.title ?? 'Single sign-on did not complete'}
                  </Title>
                </Group>
                <Text data-testid="sso-error-message">{info.data?.message ?? "The sign-in through your organisation's identity provider was refused."}</Text>
                <Alert color="blue" variant="light" title="What your IT admin can do" role="note">
                  <Text size="sm">
                    {info.data?.adminAction ??
                      "Check the identity provider configuration in the portal's Settings, and quote the reference below to Claresia support."}
                  </Text>
                </Alert>
              </>
            )}
            {cid && (
              <Text size="sm">
                Reference for support: <Code data-testid="sso-error-cid">{cid}</Code>{' '}
                <Text span size="xs" c="dimmed">
                  (error code {code})
                </Text>
              </Text>
            )}
            <Group>
              <Button component={Link} to={signIn}>
                Try signing in again
              </Button>
              <Anchor component={Link} to="/sign-in" size="sm">
                Choose another tenant
              </Anchor>
            </Group>
          </Stack>
        </Paper>
        <Text size="xs" ta="center" mt="lg" c="dimmed">
          If nobody in your organisation can sign in, that is a Sev 1: email support@claresia.com or use your Slack/Teams Connect channel, and quote the
          reference above.
        </Text>
      </Container>
    </Box>
  );
}
