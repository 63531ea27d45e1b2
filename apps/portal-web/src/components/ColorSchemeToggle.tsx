import { ActionIcon, Menu, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { IconCheck, IconDeviceDesktop, IconMoon, IconSun } from '@tabler/icons-react';

const CHOICES: { value: MantineColorScheme; label: string; icon: typeof IconSun }[] = [
  { value: 'auto', label: 'Follow the system', icon: IconDeviceDesktop },
  { value: 'light', label: 'Light', icon: IconSun },
  { value: 'dark', label: 'Dark', icon: IconMoon },
];

/** Light, dark, or the system's setting (the default); Mantine keeps the choice in this browser's local storage. */
export function ColorSchemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const current = CHOICES.find((c) => c.value === colorScheme) ?? CHOICES[0];
  const Icon = current.icon;
  // In the header (its banner landmark), not portalled to the end of <body>: axe's region rule.
  return (
    <Menu position="bottom-end" withinPortal={false}>
      <Menu.Target>
        <ActionIcon variant="transparent" size="lg" c="white" aria-label={`Colour scheme: ${current.label}`} className="header-icon-button">
          <Icon size={20} aria-hidden />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Colour scheme</Menu.Label>
        {CHOICES.map((c) => (
          <Menu.Item
            key={c.value}
            // Mantine's menu items are always role="menuitem" (it overrides a role prop): the current choice is marked
            // with aria-current (a global attribute, valid on a menu item) and the check mark.
            aria-current={c.value === colorScheme ? 'true' : undefined}
            leftSection={<c.icon size={16} aria-hidden />}
            rightSection={c.value === colorScheme ? <IconCheck size={14} aria-hidden /> : null}
            onClick={() => setColorScheme(c.value)}
          >
            {c.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
