import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Alert, Button, Container, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

interface Props {
  children: ReactNode;
  /** Changing it clears a caught error (the shell passes the current path). */
  resetKey?: string;
}
interface State {
  error: Error | null;
  resetKey?: string;
}

/** Catches rendering errors: the person sees what to do next, never a blank page or a stack trace. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.resetKey) return { error: null, resetKey: props.resetKey };
    return null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept in the browser console for support; never rendered.
    console.error('portal-web: page failed to render', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <Container size="sm" py="xl">
        <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title="This page could not be shown" role="alert">
          <Stack gap="sm">
            <Text size="sm">
              Something went wrong while showing this page. Your incident data is safe. Reload the page; if it keeps happening, email support@claresia.com or
              use your Slack/Teams Connect channel, and mention the time it happened.
            </Text>
            <Group>
              <Button onClick={() => window.location.reload()}>Reload</Button>
              <Button variant="default" component="a" href="/">
                Go to incidents
              </Button>
            </Group>
          </Stack>
        </Alert>
      </Container>
    );
  }
}
