import { Button, Container, Group, Paper, Progress, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router-dom';
import type { Attainment, DurationFigures } from '@portal/sla';
import { api } from '../api/endpoints';
import { query } from '../api/client';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { useSignedIn } from '../hooks/use-me';
import { usePageTitle } from '../hooks/use-page-title';
import { isVendorRole } from '../lib/labels';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const SEVERITY_LABEL = { sev1: 'Sev 1', sev2: 'Sev 2', sev3: 'Sev 3', sev4: 'Sev 4' } as const;

/** This month in the viewer's zone, YYYY-MM. */
function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

/** A duration for people: "45 min", "3 h 20 min", "2 d 4 h". */
function duration(ms: number | null): string {
  if (ms === null) return '—';
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** A table that may scroll sideways on a phone: a focusable, named region so keyboard users can scroll it too. */
function ScrollingTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      {children}
    </div>
  );
}

function Bar({ label, value, max, color }: { label: string; value: number; max: number; color: string }) {
  return (
    <div>
      <Group justify="space-between" gap="xs">
        <Text size="sm">{label}</Text>
        <Text size="sm" fw={600}>
          {value}
        </Text>
      </Group>
      <Progress value={max ? (value / max) * 100 : 0} color={color} aria-label={`${label}: ${value}`} />
    </div>
  );
}

function AttainmentCard({ title, a }: { title: string; a: Attainment }) {
  const total = a.met + a.breached + a.running;
  return (
    <Paper p="md" component="section" aria-label={title}>
      <Title order={2} size="h4" mb="xs">
        {title}
      </Title>
      <Text size="xl" fw={700} data-testid={`${title}-pct`}>
        {a.attainmentPct === null ? 'No clock decided' : `${a.attainmentPct}% met`}
      </Text>
      <Stack gap={6} mt="sm">
        <Bar label="Met" value={a.met} max={total} color="teal.8" />
        <Bar label="Breached" value={a.breached} max={total} color="red.8" />
        <Bar label="Running" value={a.running} max={total} color="blue.8" />
      </Stack>
    </Paper>
  );
}

/** SLA reports per tenant and month: CSMs and IT admins see whether the commitments were kept. */
export function ReportsPage() {
  usePageTitle('SLA reports');
  const me = useSignedIn();
  const vendor = isVendorRole(me.principal.role);
  const [params, setParams] = useSearchParams();
  const month = params.get('month') ?? thisMonth();
  const tenantId = vendor ? (params.get('tenant') ?? me.tenants[0]?.id ?? null) : null;
  const valid = MONTH.test(month);
  const q = { month, ...(tenantId ? { tenantId } : {}) };
  const report = useQuery({ queryKey: ['sla-report', q], queryFn: () => api.slaReport(q), enabled: valid && (!vendor || !!tenantId) });
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const r = report.data;
  const maxSev = r ? Math.max(1, ...Object.values(r.bySeverity)) : 1;
  const times: [string, string, DurationFigures | undefined][] = [
    ['MTTD', 'first noticed → declared', r?.mttd],
    ['MTTA', 'declared → acknowledged', r?.mtta],
    ['MTTR', 'declared → resolved', r?.mttr],
  ];
  return (
    <Container size="lg">
      <Stack gap="md">
        <Title order={1} className="page-title">
          SLA reports
        </Title>
        <Paper p="md">
          <Group align="flex-end" wrap="wrap" gap="sm">
            {vendor && (
              <Select
                label="Tenant"
                data={me.tenants.map((t) => ({ value: t.id, label: t.displayName }))}
                value={tenantId}
                onChange={(v) => set('tenant', v)}
                allowDeselect={false}
                w={240}
              />
            )}
            <TextInput
              label="Month"
              type="month"
              value={month}
              onChange={(e) => set('month', e.currentTarget.value)}
              error={valid ? undefined : 'Pick a month'}
              w={200}
            />
            <Button component="a" href={`/api/v1/reports/sla.csv${query(q)}`} download variant="light" disabled={!valid}>
              Download CSV
            </Button>
          </Group>
        </Paper>
        {report.error && <ApiErrorAlert error={report.error} />}
        {r && (
          <Stack gap="md" aria-live="polite" data-testid="sla-report">
            <Text size="sm">
              {r.tenant.displayName} · {r.incidentCount} incident{r.incidentCount === 1 ? '' : 's'} declared in {r.month} ({r.timezone})
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Paper p="md" component="section" aria-label="Incidents by severity">
                <Title order={2} size="h4" mb="xs">
                  Incidents by severity
                </Title>
                <Stack gap={6}>
                  {(Object.keys(SEVERITY_LABEL) as (keyof typeof SEVERITY_LABEL)[]).map((s) => (
                    <Bar key={s} label={SEVERITY_LABEL[s]} value={r.bySeverity[s]} max={maxSev} color="grape.8" />
                  ))}
                </Stack>
              </Paper>
              <AttainmentCard title="Response SLA" a={r.attainment.response} />
              <AttainmentCard title="Restoration SLA" a={r.attainment.restoration} />
            </SimpleGrid>
            <Paper p="md" component="section" aria-label="Times">
              <Title order={2} size="h4" mb="xs">
                Times
              </Title>
              <ScrollingTable label="Times table">
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Measure</Table.Th>
                      <Table.Th scope="col">Incidents</Table.Th>
                      <Table.Th scope="col">Median</Table.Th>
                      <Table.Th scope="col">p90</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {times.map(([name, what, f]) => (
                      <Table.Tr key={name}>
                        <Table.Th scope="row">
                          {name}{' '}
                          <Text span size="xs">
                            ({what})
                          </Text>
                        </Table.Th>
                        <Table.Td>{f?.count ?? 0}</Table.Td>
                        <Table.Td>{duration(f?.medianMs ?? null)}</Table.Td>
                        <Table.Td>{duration(f?.p90Ms ?? null)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollingTable>
            </Paper>
            <Paper p="md" component="section" aria-label="Post-incident reviews">
              <Title order={2} size="h4" mb="xs">
                Post-incident reviews
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Stack gap={6}>
                  <Bar
                    label="Delivered on time"
                    value={r.pirs.onTime}
                    max={Math.max(1, r.pirs.onTime + r.pirs.late + r.pirs.waived + r.pirs.due)}
                    color="teal.8"
                  />
                  <Bar label="Delivered late" value={r.pirs.late} max={Math.max(1, r.pirs.onTime + r.pirs.late + r.pirs.waived + r.pirs.due)} color="red.8" />
                  <Bar label="Waived" value={r.pirs.waived} max={Math.max(1, r.pirs.onTime + r.pirs.late + r.pirs.waived + r.pirs.due)} color="gray.7" />
                  <Bar label="Due" value={r.pirs.due} max={Math.max(1, r.pirs.onTime + r.pirs.late + r.pirs.waived + r.pirs.due)} color="orange.8" />
                </Stack>
                <Text size="sm">{r.pirs.overdue ? `${r.pirs.overdue} of the due reviews are past their due time.` : 'No review is past its due time.'}</Text>
              </SimpleGrid>
            </Paper>
            <Paper p="md" component="section" aria-label="Incidents">
              <Title order={2} size="h4" mb="xs">
                Incidents
              </Title>
              <ScrollingTable label="Incidents table">
                <Table data-testid="sla-report-incidents">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Incident</Table.Th>
                      <Table.Th scope="col">Severity</Table.Th>
                      <Table.Th scope="col">Response</Table.Th>
                      <Table.Th scope="col">Restoration</Table.Th>
                      <Table.Th scope="col">Acknowledged in</Table.Th>
                      <Table.Th scope="col">Resolved in</Table.Th>
                      <Table.Th scope="col">PIR</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {r.incidents.map((i) => (
                      <Table.Tr key={i.reference}>
                        <Table.Th scope="row">{i.reference}</Table.Th>
                        <Table.Td>{SEVERITY_LABEL[i.severity]}</Table.Td>
                        <Table.Td>{i.response.replace('_', ' ')}</Table.Td>
                        <Table.Td>{i.restoration.replace('_', ' ')}</Table.Td>
                        <Table.Td>{duration(i.acknowledgeMs)}</Table.Td>
                        <Table.Td>{duration(i.resolveMs)}</Table.Td>
                        <Table.Td>{i.pir.replace('_', ' ')}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollingTable>
            </Paper>
          </Stack>
        )}
      </Stack>
    </Container>
  );
}
