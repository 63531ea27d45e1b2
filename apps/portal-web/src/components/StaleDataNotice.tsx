import { Alert, Text } from '@mantine/core';
import { IconWifiOff } from '@tabler/icons-react';
import { formatTime } from '../lib/time';

/** A refresh failed but earlier data is on screen: say how old it is; the clocks keep counting locally. */
export function StaleDataNotice({ show, receivedAt }: { show: boolean; receivedAt: number }) {
  if (!show) return null;
  return (
    <Alert color="orange" variant="light" icon={<IconWifiOff aria-hidden />} title="Cannot reach the portal right now" role="status" data-testid="stale-data">
      <Text size="sm">
        Showing what was received at {formatTime(new Date(receivedAt).toISOString())}; the clocks keep counting. We retry every 30 seconds. If it lasts, use
        your Slack/Teams Connect channel or email support@claresia.com.
      </Text>
    </Alert>
  );
}
