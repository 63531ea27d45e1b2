import { type ReactNode } from 'react';
import { Anchor, AppShell, Badge, Box, Burger, Button, Container, Group, Menu, NavLink, Stack, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconAlarm,
  IconBroadcast,
  IconBuildingSkyscraper,
  IconChartBar,
  IconChevronDown,
  IconClock,
  IconFileSearch,
  IconListDetails,
  IconLogout,
  IconPlus,
  IconSettings,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api/endpoints';
import type { Me } from '../api/types';
import { lastTenant } from '../hooks/use-me';
import { isVendorRole, MODE_LABELS, ROLE_LABELS } from '../lib/labels';
import { ColorSchemeToggle } from './ColorSchemeToggle';
import { Logo } from './Logo';
import { personName } from '../lib/people';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
}

export function navItems(me: Me): NavItem[] {
  const role = me.principal.role;
  // post-incident reviews (issue 15): the archive, for every role.
  const reviews: NavItem = { to: '/reviews', label: 'Reviews', icon: <IconFileSearch size={18} aria-hidden /> };
  // SLA reports (issue 15b): every role, each for the tenants it sees.
  const reports: NavItem = { to: '/reports', label: 'Reports', icon: <IconChartBar size={18} aria-hidden /> };
  if (isVendorRole(role)) {
    const vendor: NavItem[] = [{ to: '/vendor', label: 'All incidents', icon: <IconBuildingSkyscraper size={18} aria-hidden /> }, reviews, reports];
    // status page (issue 14 part B)
    if (role === 'support_engineer') vendor.push({ to: '/vendor/status', label: 'Status page', icon: <IconBroadcast size={18} aria-hidden /> });
    // vendor notification settings (lead)
    if (role === 'support_engineer') vendor.push({ to: '/vendor/escalation', label: 'Escalation', icon: <IconAlarm size={18} aria-hidden /> });
    // CSM walkthroughs (issue 15, h2a-walkthroughs): the hours a CSM takes PIR walkthroughs in
    if (role === 'csm') vendor.push({ to: '/working-hours', label: 'Working hours', icon: <IconClock size={18} aria-hidden /> });
    return vendor;
  }
  const items: NavItem[] = [{ to: '/incidents', label: 'Incidents', icon: <IconListDetails size={18} aria-hidden /> }, reviews, reports];
  if (role === 'customer_admin') items.push({ to: '/settings', label: 'Settings', icon: <IconSettings size={18} aria-hidden /> });
  return items;
}

const isCurrent = (path: string, to: string) => path === to || (to !== '/' && path.startsWith(to + '/') && !(to === '/incidents' && path === '/incidents/new'));

export function AppLayout({ me, children }: { me: Me; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const items = navItems(me);
  const canDeclare = me.principal.role === 'customer_admin';
  const name = personName(me.principal.label);

  const signOut = async () => {
    await api.logout().catch(() => undefined);
    qc.clear();
    const slug = me.tenant?.slug ?? lastTenant();
    navigate(slug && !isVendorRole(me.principal.role) ? `/t/${slug}/sign-in` : '/sign-in', { replace: true });
  };

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 260, breakpoint: 'sm', collapsed: { desktop: true, mobile: !opened } }} padding={0}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header className="portal-header">
        <Container size="xl" h="100%">
          <Group h="100%" justify="space-between" wrap="nowrap" gap="sm">
            <Group gap="md" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" color="white" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
              <Anchor component={Link} to="/" underline="never" c="white" aria-label="Claresia Incident Support, home">
                <Logo />
              </Anchor>
              <Group gap={4} visibleFrom="sm" component="nav" aria-label="Main">
                {items.map((i) => (
                  <Anchor
                    key={i.to}
                    component={Link}
                    to={i.to}
                    className="top-nav-link"
                    underline="never"
                    data-active={isCurrent(location.pathname, i.to) || undefined}
                    aria-current={isCurrent(location.pathname, i.to) ? 'page' : undefined}
                  >
                    {i.label}
                  </Anchor>
                ))}
              </Group>
            </Group>
            <Group gap="sm" wrap="nowrap">
              {canDeclare && (
                <Button component={Link} to="/incidents/new" color="red.9" leftSection={<IconPlus size={16} aria-hidden />} visibleFrom="xs" size="sm">
                  Declare incident
                </Button>
              )}
              <ColorSchemeToggle />
              {/* In the header (its banner landmark), not portalled to the end of <body>: axe's region rule. */}
              <Menu position="bottom-end" withinPortal={false}>
                <Menu.Target>
                  <UnstyledButton className="user-button" aria-label={`Account: ${name}, ${ROLE_LABELS[me.principal.role]}`}>
                    <Group gap={6} wrap="nowrap">
                      <Box visibleFrom="md" ta="right">
                        <Text size="sm" fw={600} c="white" lh={1.2}>
                          {name}
                        </Text>
                        <Text size="xs" c="#dbe3f7" lh={1.2}>
                          {me.tenant ? me.tenant.displayName : 'Claresia'}
                        </Text>
                      </Box>
                      <Box className="avatar" aria-hidden>
                        {initials(name)}
                      </Box>
                      <IconChevronDown size={14} color="white" aria-hidden />
                    </Group>
                  </UnstyledButton>
                </Menu.Target>
                <Menu.Dropdown>
                  {/* Who is signed in is text, not disabled items: opening the menu focuses its one action. */}
                  <Menu.Label>{me.principal.label}</Menu.Label>
                  <Menu.Label>{ROLE_LABELS[me.principal.role]}</Menu.Label>
                  {me.tenant && (
                    <Menu.Label>
                      {me.tenant.displayName} · {MODE_LABELS[me.tenant.serviceMode]}
                    </Menu.Label>
                  )}
                  <Menu.Divider />
                  <Menu.Item leftSection={<IconLogout size={16} aria-hidden />} onClick={() => void signOut()}>
                    Sign out
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
          </Group>
        </Container>
      </AppShell.Header>

      {/* Only in the DOM while open, so its links are not tabbable (or found twice) when the header nav shows. */}
      {opened && (
        <AppShell.Navbar p="md" aria-label="Main navigation">
          <Stack gap={4}>
            {canDeclare && (
              <Button component={Link} to="/incidents/new" color="red.9" leftSection={<IconPlus size={16} aria-hidden />} onClick={close} mb="sm">
                Declare incident
              </Button>
            )}
            {items.map((i) => (
              <NavLink
                key={i.to}
                component={Link}
                to={i.to}
                label={i.label}
                leftSection={i.icon}
                active={isCurrent(location.pathname, i.to)}
                aria-current={isCurrent(location.pathname, i.to) ? 'page' : undefined}
                onClick={close}
              />
            ))}
            <NavLink component="button" label="Sign out" leftSection={<IconLogout size={18} aria-hidden />} onClick={() => void signOut()} />
          </Stack>
        </AppShell.Navbar>
      )}

      <AppShell.Main id="main" tabIndex={-1} className="portal-main">
        {children}
      </AppShell.Main>
      <Box component="footer" className="portal-footer">
        <Container size="xl">
          <Group justify="space-between" gap="xs">
            <Text size="xs">
              Service status:{' '}
              <Anchor href="https://status.claresia.com" size="xs">
                status.claresia.com
              </Anchor>{' '}
              · Email{' '}
              <Anchor href="mailto:support@claresia.com" size="xs">
                support@claresia.com
              </Anchor>
            </Text>
            {me.tenant && (
              <Badge variant="light" color="gray" size="sm">
                {me.tenant.slug} · {MODE_LABELS[me.tenant.serviceMode]}
              </Badge>
            )}
          </Group>
        </Container>
      </Box>
    </AppShell>
  );
}

function initials(name: string): string {
  const parts = name.split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '?') + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}
