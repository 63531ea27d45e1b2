import { Group, Text } from '@mantine/core';

export function Logo({ dark = false }: { dark?: boolean }) {
  return (
    <Group gap={8} wrap="nowrap">
      <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden focusable="false">
        <rect width="32" height="32" rx="7" fill={dark ? '#243f8f' : '#ffffff'} />
        <path d="M9 17l5 5 9-11" stroke={dark ? '#ffffff' : '#243f8f'} strokeWidth="3.5" fill="none" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <div>
        <Text fw={700} size="md" lh={1.1} c={dark ? '#1a2233' : 'white'}>
          Claresia
        </Text>
        <Text size="xs" lh={1.1} c={dark ? '#3d4654' : '#dbe3f7'}>
          Incident Support
        </Text>
      </div>
    </Group>
  );
}
