import { memo, useEffect, useMemo, useState } from 'react';
import { Anchor, Box, Button, Center, Collapse, Group, Loader, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useDisclosure, useMediaQuery } from '@mantine/hooks';
import { IconDownload, IconFilter, IconPlus, IconSearch } from '@tabler/icons-react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { ListIncidentsQuery } from '@portal/contracts';
import { INCIDENT_STATUSES, SERVICES, SEVERITIES } from '@portal/contracts/constants';
import { api } from '../api/endpoints';
import type { Incident } from '../api/types';
import { useIncidentList } from '../hooks/use-incidents';
import { useNow } from '../hooks/use-now';
import { byUrgency, headlineClock, urgencyScore } from '../lib/clocks';
import { SEVERITY_SHORT, STATUS_LABELS } from '../lib/labels';
import { personName } from '../lib/people';
import { formatAge } from '../lib/time';
import { ApiErrorAlert } from './ApiErrorAlert';
import { PirDueBadge, SeverityBadge, StatusBadge } from './Badges';
import { SlaClockChip } from './SlaClock';
import { StaleDataNotice } from './StaleDataNotice';
import { Time } from './Time';

type Filters = Omit<ListIncidentsQuery, 'cursor' | 'limit'>;
type SortOrder = 'urgent' | 'newest';

export interface IncidentListProps {
  /** Vendor view: tenant column and tenant filter. */
  vendor?: boolean;
  tenants?: { slug: string; displayName: string }[];
  regions?: { code: string; name: string }[];
  canDeclare?: boolean;
}

const PIR_OPTIONS = [
  { value: 'owed', label: 'Due or overdue' },
  { value: 'due', label: 'Due' },
  { value: 'overdue', label: 'Overdue' },
];

const STATUS_OPTIONS = [
  { value: 'active', label: 'Active' },
  { value: 'all', label: 'All' },
  ...INCIDENT_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
];

export function IncidentList({ vendor = false, tenants = [], regions = [], canDeclare = false }: IncidentListProps) {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'active';
  const filters: Filters = {
    status: status === 'all' ? undefined : (status as Filters['status']),
    severity: (params.get('severity') as Filters['severity']) ?? undefined,
    service: (params.get('service') as Filters['service']) ?? undefined,
    region: params.get('region') ?? undefined,
    tenant: vendor ? (params.get('tenant') ?? undefined) : undefined,
    q: params.get('q') ?? undefined,
    pir: (params.get('pir') as Filters['pir']) ?? undefined,
  };
  const sort: SortOrder = params.get('sort') === 'newest' ? 'newest' : 'urgent';
  const list = useIncidentList(filters);
  const phone = useMediaQuery('(max-width: 62em)', false, { getInitialValueInEffect: false });

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    // A review is owed by resolved incidents: the PIR filter looks beyond the active ones.
    if (key === 'pir' && value && status === 'active') next.set('status', 'all');
    if (value && !(key === 'status' && value === 'active') && !(key === 'sort' && value === 'urgent')) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const items = useMemo(() => {
    const all = list.data?.pages.flatMap((p) => p.items) ?? [];
    return sort === 'urgent' ? [...all].sort(byUrgency) : all;
  }, [list.data, sort]);
  const receivedAt = list.dataUpdatedAt;

  const regionOptions = useMemo(() => {
    const known = new Map(regions.map((r) => [r.code, `${r.code} (${r.name})`]));
    for (const i of items) for (const r of i.regions) if (!known.has(r)) known.set(r, r);
    if (filters.region && !known.has(filters.region)) known.set(filters.region, filters.region);
    return [...known].map(([value, label]) => ({ value, label }));
  }, [regions, items, filters.region]);

  // The search box types freely; the URL (and the query) follow 300 ms after the last key, so a list can be shared.
  const [search, setSearch] = useState(filters.q ?? '');
  const [debounced] = useDebouncedValue(search, 300);
  useEffect(() => {
    if (debounced.trim() !== (params.get('q') ?? '')) set('q', debounced.trim() || null);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only the typed text drives this
  }, [debounced]);

  const [filtersOpen, { toggle: toggleFilters }] = useDisclosure(false);
  // On a phone the filters start folded away: their seven selects are not built until first opened, so a cold load
  // on a slow phone renders the incidents first (issue 18, first load). Once built they stay, for the animation.
  const [filtersBuilt, setFiltersBuilt] = useState(false);
  const showFilters = !phone || filtersOpen;
  if (showFilters && !filtersBuilt) setFiltersBuilt(true);
  const summary = [
    filters.q && `“${filters.q}”`,
    STATUS_OPTIONS.find((o) => o.value === status)?.label,
    filters.severity && SEVERITY_SHORT[filters.severity],
    filters.service,
    filters.region,
    filters.tenant && (tenants.find((t) => t.slug === filters.tenant)?.displayName ?? filters.tenant),
    filters.pir && `PIR ${PIR_OPTIONS.find((o) => o.value === filters.pir)?.label.toLowerCase()}`,
    sort === 'urgent' ? 'most urgent first' : 'newest first',
  ]
    .filter(Boolean)
    .join(' · ');
  const filtered = Boolean(filters.severity || filters.service || filters.region || filters.tenant || filters.q || filters.pir || status !== 'active');

  return (
    <Stack gap="md">
      <Paper p="sm" component="section" aria-label="Filters">
        <Group justify="space-between" gap="xs">
          <Group gap="xs">
            <IconFilter size={16} aria-hidden />
            <Text size="sm" fw={600}>
              Filters
            </Text>
            {phone && (
              <Text size="xs" c="dimmed">
                {summary}
              </Text>
            )}
          </Group>
          {phone && (
            <Button size="compact-sm" variant="subtle" onClick={toggleFilters} aria-expanded={filtersOpen} aria-controls="incident-filters">
              {filtersOpen ? 'Hide' : 'Change'}
            </Button>
          )}
        </Group>
        <Group mt={6} gap="xs" align="flex-end" wrap="wrap">
          <TextInput
            type="search"
            label="Search"
            description="Title, symptoms, error codes or a reference (ACME-8)"
            placeholder="e.g. AADSTS50011"
            leftSection={<IconSearch size={16} aria-hidden />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            maxLength={200}
            style={{ flex: '1 1 240px', minWidth: 0 }}
          />
          <Button
            component="a"
            href={api.incidentsCsvUrl(filters)}
            download
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            data-testid="export-csv"
          >
            Export CSV
          </Button>
        </Group>
        <Collapse in={showFilters} id="incident-filters">
          {(showFilters || filtersBuilt) && (
            <SimpleGrid mt={6} cols={{ base: 2, sm: 3, lg: 4 }} spacing="sm">
              <Select label="Status" data={STATUS_OPTIONS} value={status} onChange={(v) => set('status', v)} allowDeselect={false} />
              <Select
                label="Severity"
                placeholder="All"
                data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_SHORT[s] }))}
                value={filters.severity ?? null}
                onChange={(v) => set('severity', v)}
                clearable
              />
              <Select label="Service" placeholder="All" data={[...SERVICES]} value={filters.service ?? null} onChange={(v) => set('service', v)} clearable />
              <Select label="Region" placeholder="All" data={regionOptions} value={filters.region ?? null} onChange={(v) => set('region', v)} clearable />
              {vendor && (
                <Select
                  label="Tenant"
                  placeholder="All"
                  data={tenants.map((t) => ({ value: t.slug, label: t.displayName }))}
                  value={filters.tenant ?? null}
                  onChange={(v) => set('tenant', v)}
                  clearable
                  searchable
                />
              )}
              <Select label="Post-incident review" placeholder="All" data={PIR_OPTIONS} value={filters.pir ?? null} onChange={(v) => set('pir', v)} clearable />
              <Select
                label="Sort by"
                data={[
                  { value: 'urgent', label: 'Most urgent clock' },
                  { value: 'newest', label: 'Newest first' },
                ]}
                value={sort}
                onChange={(v) => set('sort', v)}
                allowDeselect={false}
              />
            </SimpleGrid>
          )}
        </Collapse>
      </Paper>

      {list.isError && !list.data && <ApiErrorAlert error={list.error} title="The incidents could not be loaded" />}
      <StaleDataNotice show={list.isRefetchError} receivedAt={receivedAt} />

      {list.isPending ? (
        <Center p="xl" aria-live="polite">
          <Group gap="xs">
            <Loader size="sm" aria-label="Loading incidents" />
            <Text size="sm">Loading incidents…</Text>
          </Group>
        </Center>
      ) : items.length === 0 && !list.isError ? (
        <Paper p="xl" ta="center">
          <Text fw={600}>{filtered ? 'No incidents match these filters.' : 'No active incidents.'}</Text>
          <Text size="sm" c="dimmed" mt={4}>
            {filtered ? 'Change or clear the filters above.' : 'Everything declared so far is resolved.'}
          </Text>
          {canDeclare && (
            <Button component={Link} to="/incidents/new" mt="md" color="red.9" leftSection={<IconPlus size={16} aria-hidden />}>
              Declare an incident
            </Button>
          )}
        </Paper>
      ) : phone ? (
        <Stack gap="sm" data-testid="incident-list">
          {items.map((i) => (
            <IncidentCard key={i.id} incident={i} receivedAt={receivedAt} vendor={vendor} />
          ))}
        </Stack>
      ) : (
        <Paper p={0} style={{ overflow: 'hidden' }}>
          <IncidentTable items={items} receivedAt={receivedAt} vendor={vendor} />
        </Paper>
      )}

      {list.hasNextPage && (
        <Center>
          <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            Load older incidents
          </Button>
        </Center>
      )}
      {items.length > 0 && (
        <Text size="xs" c="dimmed" aria-live="off">
          {items.length} incident{items.length === 1 ? '' : 's'} · clocks count down live; the list refreshes every 30 seconds.
        </Text>
      )}
    </Stack>
  );
}

/**
 * Whether a human engineer acknowledged, and who owns the incident since: the engineer who acknowledged it (the
 * portal has no separate assignment; escalation and update reminders go to that engineer).
 */
function Acknowledgement({ incident: i, vendor }: { incident: Incident; vendor: boolean }) {
  if (!i.acknowledgedAt) {
    return (
      <Text size="sm" fw={600} c="var(--mantine-color-orange-text)" data-testid="acknowledgement" data-acknowledged="false">
        Not acknowledged{vendor ? '' : ' yet'}
      </Text>
    );
  }
  return (
    <Box data-testid="acknowledgement" data-acknowledged="true">
      <Text size="sm" className="break">
        {personName(i.acknowledgedBy?.label) || 'Claresia'}
      </Text>
      <Text size="xs" c="dimmed">
        acknowledged <Time iso={i.acknowledgedAt} />
      </Text>
    </Box>
  );
}

const ago = (age: string) => (age === 'just now' ? age : `${age} ago`);

/** "12 min ago": the only part of a row that changes every second, so only it re-renders on the page's tick. */
function Age({ iso, prefix = '' }: { iso: string; prefix?: string }) {
  const now = useNow();
  return (
    <>
      {prefix}
      {ago(formatAge(iso, now))}
    </>
  );
}

function IncidentTable({ items, receivedAt, vendor }: { items: Incident[]; receivedAt: number; vendor: boolean }) {
  const navigate = useNavigate();
  return (
    <Table verticalSpacing="sm" horizontalSpacing="md" highlightOnHover={false} data-testid="incident-list">
      <Table.Thead bg="var(--portal-surface-muted)">
        <Table.Tr>
          <Table.Th scope="col">Incident</Table.Th>
          {vendor && <Table.Th scope="col">Tenant</Table.Th>}
          <Table.Th scope="col">Severity</Table.Th>
          <Table.Th scope="col">Status</Table.Th>
          <Table.Th scope="col">Owner</Table.Th>
          <Table.Th scope="col">Urgent clock</Table.Th>
          <Table.Th scope="col">Review</Table.Th>
          <Table.Th scope="col">Age</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((i) => (
          <Table.Tr
            key={i.id}
            className="incident-row"
            data-testid="incident-row"
            data-reference={i.reference}
            data-urgency={urgencyScore(i)}
            onClick={() => navigate(`/incidents/${i.id}`)}
          >
            <Table.Td maw={420}>
              <Anchor component={Link} to={`/incidents/${i.id}`} onClick={(e) => e.stopPropagation()} className="break">
                <Text span size="sm" ff="monospace" fw={700} mr={8}>
                  {i.reference}
                </Text>
                {i.title}
              </Anchor>
              <Text size="xs" c="dimmed" mt={2}>
                {i.services.join(', ')} · {i.regions.join(', ')} · {usersLabel(i.impactedUsers)}
              </Text>
            </Table.Td>
            {vendor && (
              <Table.Td>
                <Text size="sm" fw={500}>
                  {i.tenant.displayName}
                </Text>
                <Text size="xs" c="dimmed">
                  Mode {i.serviceMode}
                  {i.plane ? ` · ${i.plane.replace('_', ' ')}` : ''}
                </Text>
              </Table.Td>
            )}
            <Table.Td>
              <SeverityBadge severity={i.severity} />
            </Table.Td>
            <Table.Td>
              <StatusBadge status={i.status} />
            </Table.Td>
            <Table.Td>
              <Acknowledgement incident={i} vendor={vendor} />
            </Table.Td>
            <Table.Td>
              <SlaClockChip clock={headlineClock(i)} receivedAt={receivedAt} audience={vendor ? 'vendor' : 'customer'} />
            </Table.Td>
            <Table.Td>
              {i.pir.state === 'due' || i.pir.state === 'overdue' ? (
                <PirDueBadge pir={i.pir} size="sm" />
              ) : (
                <Text size="xs" c="dimmed">
                  {i.pir.state === 'delivered' ? 'Delivered' : i.pir.state === 'waived' ? 'Waived' : '—'}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="sm">
                <Age iso={i.declaredAt} />
              </Text>
              <Text size="xs" c="dimmed">
                <Time iso={i.declaredAt} />
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

// Memoised: typing in the search box or opening the filters does not re-render every card.
const IncidentCard = memo(function IncidentCard({ incident: i, receivedAt, vendor }: { incident: Incident; receivedAt: number; vendor: boolean }) {
  return (
    <Paper
      p="sm"
      component={Link}
      to={`/incidents/${i.id}`}
      className="incident-card"
      data-testid="incident-row"
      data-reference={i.reference}
      data-urgency={urgencyScore(i)}
    >
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <Box style={{ minWidth: 0 }}>
          <Text size="xs" ff="monospace" fw={700}>
            {i.reference}
            {vendor && ` · ${i.tenant.displayName}`}
          </Text>
          <Text fw={600} size="sm" className="break">
            {i.title}
          </Text>
        </Box>
        <Box style={{ flex: 'none' }}>
          <SeverityBadge severity={i.severity} />
        </Box>
      </Group>
      <Group gap="xs" mt="xs" wrap="wrap">
        <StatusBadge status={i.status} size="sm" />
        <Text size="xs" c="dimmed">
          <Age iso={i.declaredAt} prefix="declared " /> · {usersLabel(i.impactedUsers)}
        </Text>
      </Group>
      <Box mt={6}>
        <Acknowledgement incident={i} vendor={vendor} />
      </Box>
      <Group mt="xs" gap="xs" wrap="wrap">
        <SlaClockChip clock={headlineClock(i)} receivedAt={receivedAt} audience={vendor ? 'vendor' : 'customer'} />
        <PirDueBadge pir={i.pir} size="sm" />
      </Group>
    </Paper>
  );
});

/** A quick declaration has no count until its intake is completed (issue 18). */
const usersLabel = (n: number | null) => (n === null ? 'users not counted yet' : `${n.toLocaleString('en-US')} users`);
