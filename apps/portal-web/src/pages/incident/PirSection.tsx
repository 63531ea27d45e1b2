import { useState, type ReactNode } from 'react';
import { Badge, Button, Group, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  ACTION_ITEM_PRIORITIES,
  ACTION_ITEM_STATUSES,
  PIR_SECTIONS,
  type ActionItemPriority,
  type ActionItemStatus,
  type PirActionItemInput,
  type PirSectionKey,
  type PirView,
  type Role,
} from '@portal/contracts';
import { ApiError } from '../../api/client';
import { api } from '../../api/endpoints';
import type { IncidentDetail } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DeliveryList } from '../../components/DeliveryList';
import { Card } from './Card';
import { WalkthroughSection } from './WalkthroughSection';

const STATUS_LABELS: Record<PirView['status'], string> = { draft: 'Draft', in_review: 'In review', published: 'Published', waived: 'Waived' };
const ITEM_STATUS_LABELS: Record<ActionItemStatus, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', wont_do: "Won't do" };
const pirKey = (id: string) => ['incident', id, 'pir'] as const;

/**
 * The post-incident review of a resolved incident: support engineers start, edit, send for review, publish (or waive
 * a Sev 2); the tenant reads it once published and downloads the PDF; CSMs read it at every stage.
 */
export function PirSection({ incident: i, role }: { incident: IncidentDetail; role: Role }) {
  const qc = useQueryClient();
  const pir = useQuery({
    queryKey: pirKey(i.id),
    queryFn: () => api.pir(i.id),
    retry: (n, e) => !(e instanceof ApiError && e.status === 404) && n < 2,
    refetchInterval: (q) => (q.state.data?.status === 'published' && !q.state.data.pdf.ready ? 3000 : false),
  });
  const onSaved = (data: PirView) => {
    qc.setQueryData(pirKey(i.id), data);
    void qc.invalidateQueries({ queryKey: ['incident', i.id] });
  };
  const start = useMutation({ mutationFn: () => api.startPir(i.id), onSuccess: onSaved });
  const writer = role === 'support_engineer';
  const missing = pir.error instanceof ApiError && pir.error.status === 404;

  if (pir.isPending) return null;
  if (!pir.data) {
    if (!missing) return <ApiErrorAlert error={pir.error} title="The post-incident review could not be loaded" />;
    const due = i.sla.clocks.pirDue;
    return (
      <Card title="Post-incident review" id="pir" testId="pir">
        <Stack gap="sm">
          <Text size="sm">
            {writer
              ? 'No review yet. Start one: it is prefilled from this incident (timeline, impact, SLA outcomes).'
              : 'The post-incident review is not published yet.'}
            {due.dueAt && due.state === 'running' ? ` Due ${new Date(due.dueAt).toLocaleString()}.` : ''}
          </Text>
          {writer && (
            <Group>
              <Button loading={start.isPending} onClick={() => start.mutate()}>
                Start the review
              </Button>
            </Group>
          )}
          {start.error && <ApiErrorAlert error={start.error} />}
        </Stack>
      </Card>
    );
  }
  return (
    <>
      <PirView_ incident={i} pir={pir.data} writer={writer} onSaved={onSaved} role={role} />
      {/* CSM walkthroughs (issue 15, h2a-walkthroughs): once the review is published */}
      {pir.data.status === 'published' && <WalkthroughSection incidentId={i.id} role={role} />}
    </>
  );
}

/**
 * h2b-pir-publish: where the published review went — the incident's Slack/Teams thread, the tenant's webhooks and
 * its Hub (the output record) — with the state of each delivery and a retry for the ones that did not arrive.
 */
function PublicationDeliveries({ incidentId, role }: { incidentId: string; role: Role }) {
  const key = ['incident', incidentId, 'notifications'];
  const q = useQuery({ queryKey: key, queryFn: () => api.incidentNotifications(incidentId), refetchInterval: 15_000 });
  if (q.isPending) return null;
  if (q.isError) return <ApiErrorAlert error={q.error} title="The deliveries of the review could not be loaded" />;
  const items = q.data.deliveries.filter((d) => d.eventType === 'pir.published');
  return (
    <div data-testid="pir-deliveries">
      <Title order={3} size="h5" mb={4}>
        Shared with
      </Title>
      {items.length === 0 ? (
        <Text size="sm">Nothing was sent: no chat channel, webhook or Hub is connected for this review.</Text>
      ) : (
        <DeliveryList items={items} canRetry={role === 'customer_admin' || role === 'support_engineer'} refresh={key} />
      )}
    </div>
  );
}

function PirView_({
  incident: i,
  pir,
  writer,
  onSaved,
  role,
}: {
  incident: IncidentDetail;
  pir: PirView;
  writer: boolean;
  onSaved: (p: PirView) => void;
  role: Role;
}) {
  const [editing, setEditing] = useState(false);
  const editable = writer && (pir.status === 'draft' || pir.status === 'in_review');
  const move = useMutation({ mutationFn: (body: Parameters<typeof api.movePir>[1]) => api.movePir(i.id, body), onSuccess: onSaved });
  const [waiveReason, setWaiveReason] = useState('');
  return (
    <Card title="Post-incident review" id="pir" testId="pir">
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          <Group gap="xs">
            <Badge variant="light" color={pir.status === 'published' ? 'green' : pir.status === 'waived' ? 'gray' : 'blue'}>
              {STATUS_LABELS[pir.status]}
            </Badge>
            <Text size="sm">
              Version {pir.version}
              {pir.publishedAt ? ` · published ${new Date(pir.publishedAt).toLocaleString()}` : ''}
            </Text>
          </Group>
          {pir.status === 'published' &&
            (pir.pdf.ready ? (
              <Button component="a" href={api.pirPdfUrl(i.id)} download leftSection={<IconDownload size={16} aria-hidden />} variant="default">
                Download PDF
              </Button>
            ) : (
              <Text size="sm" aria-live="polite">
                The PDF is being rendered…
              </Text>
            ))}
        </Group>
        {pir.status === 'waived' && <Text size="sm">Waived: {pir.waiverReason}</Text>}
        {pir.status === 'published' && <PublicationDeliveries incidentId={i.id} role={role} />}
        {editing ? (
          <PirEditor incident={i} pir={pir} onDone={(p) => (onSaved(p), setEditing(false))} onCancel={() => setEditing(false)} />
        ) : (
          pir.status !== 'waived' && <PirReader pir={pir} incidentId={i.id} writer={writer} onSaved={onSaved} />
        )}
        {editable && !editing && (
          <Group wrap="wrap">
            <Button variant="default" onClick={() => setEditing(true)}>
              Edit
            </Button>
            {pir.status === 'draft' && <Button onClick={() => move.mutate({ to: 'in_review' })}>Send for review</Button>}
            {pir.status === 'in_review' && (
              <>
                <Button variant="default" onClick={() => move.mutate({ to: 'draft' })}>
                  Back to draft
                </Button>
                <Button
                  onClick={() => move.mutate({ to: 'published' }, { onSuccess: () => notifications.show({ color: 'green', message: 'Review published' }) })}
                >
                  Publish to the customer
                </Button>
              </>
            )}
          </Group>
        )}
        {editable && i.severity === 'sev2' && !editing && (
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label="Reason to waive this Sev 2 review"
              value={waiveReason}
              onChange={(e) => setWaiveReason(e.currentTarget.value)}
              style={{ flex: 1 }}
            />
            <Button variant="default" color="red" onClick={() => move.mutate({ to: 'waived', reason: waiveReason })}>
              Waive
            </Button>
          </Group>
        )}
        {move.error && <ApiErrorAlert error={move.error} />}
      </Stack>
    </Card>
  );
}

function PirReader({ pir, incidentId, writer, onSaved }: { pir: PirView; incidentId: string; writer: boolean; onSaved: (p: PirView) => void }) {
  const track = useMutation({
    mutationFn: (v: { itemId: string; status: ActionItemStatus }) => api.updatePirActionItem(incidentId, v.itemId, { status: v.status }),
    onSuccess: onSaved,
  });
  return (
    <Stack gap="md">
      {PIR_SECTIONS.map((s) => (
        <div key={s.key}>
          <Title order={3} size="h5" id={`pir-${s.key}`} mb={4}>
            {s.title}
          </Title>
          {/* Markdown shown as written (never as HTML); the PDF renders it through the sanitizer. */}
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {pir.sections[s.key] || '—'}
          </Text>
          {s.key === 'timeline' && pir.timeline.length > 0 && (
            <ScrollableTable label="Timeline of the review" minWidth={480}>
              <Table striped fz="sm" mt="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Event</Table.Th>
                    <Table.Th>Details</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {pir.timeline.map((r, n) => (
                    <Table.Tr key={n}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.at}</Table.Td>
                      <Table.Td>{r.kind}</Table.Td>
                      <Table.Td>{r.text}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollableTable>
          )}
        </div>
      ))}
      <div>
        <Title order={3} size="h5" id="pir-action-items" mb={4}>
          Action items
        </Title>
        {pir.actionItems.length === 0 ? (
          <Text size="sm">None recorded.</Text>
        ) : (
          <ScrollableTable label="Action items of the review" minWidth={560}>
            <Table fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Owner</Table.Th>
                  <Table.Th>Priority</Table.Th>
                  <Table.Th>Due</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {pir.actionItems.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td>{a.action}</Table.Td>
                    <Table.Td>{a.owner}</Table.Td>
                    <Table.Td>{a.priority}</Table.Td>
                    <Table.Td>{a.dueDate ?? '—'}</Table.Td>
                    <Table.Td>
                      {writer ? (
                        <Select
                          size="xs"
                          aria-label={`Status of ${a.action}`}
                          data={ACTION_ITEM_STATUSES.map((v) => ({ value: v, label: ITEM_STATUS_LABELS[v] }))}
                          value={a.status}
                          allowDeselect={false}
                          onChange={(v) => v && track.mutate({ itemId: a.id, status: v as ActionItemStatus })}
                        />
                      ) : (
                        ITEM_STATUS_LABELS[a.status]
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollableTable>
        )}
        {track.error && <ApiErrorAlert error={track.error} />}
      </div>
      {pir.slaOutcomes.length > 0 && (
        <div>
          <Title order={3} size="h5" id="pir-sla" mb={4}>
            SLA outcomes
          </Title>
          <ScrollableTable label="SLA outcomes of the review" minWidth={480}>
            <Table fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Clock</Table.Th>
                  <Table.Th>Target</Table.Th>
                  <Table.Th>Outcome</Table.Th>
                  <Table.Th>Detail</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {pir.slaOutcomes.map((o, n) => (
                  <Table.Tr key={n}>
                    <Table.Td>{o.clock}</Table.Td>
                    <Table.Td>{o.target}</Table.Td>
                    <Table.Td>{o.outcome}</Table.Td>
                    <Table.Td>{o.detail ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollableTable>
        </div>
      )}
    </Stack>
  );
}

function PirEditor({ incident: i, pir, onDone, onCancel }: { incident: IncidentDetail; pir: PirView; onDone: (p: PirView) => void; onCancel: () => void }) {
  const [sections, setSections] = useState<Record<PirSectionKey, string>>(pir.sections);
  const [items, setItems] = useState<PirActionItemInput[]>(
    pir.actionItems.map((a) => ({ id: a.id, action: a.action, owner: a.owner, priority: a.priority, dueDate: a.dueDate, status: a.status })),
  );
  const save = useMutation({ mutationFn: () => api.savePir(i.id, { version: pir.version, sections, actionItems: items }), onSuccess: onDone });
  const setItem = (n: number, patch: Partial<PirActionItemInput>) => setItems(items.map((it, k) => (k === n ? { ...it, ...patch } : it)));
  return (
    <Stack gap="sm">
      {PIR_SECTIONS.map((s) => (
        <Textarea
          key={s.key}
          label={s.title}
          description="Markdown"
          autosize
          minRows={2}
          maxRows={14}
          value={sections[s.key]}
          onChange={(e) => setSections({ ...sections, [s.key]: e.currentTarget.value })}
        />
      ))}
      <Title order={3} size="h5">
        Action items
      </Title>
      {items.map((it, n) => (
        <Group key={it.id ?? `new-${n}`} align="flex-end" wrap="wrap" gap="xs">
          <TextInput
            label={`Action ${n + 1}`}
            value={it.action}
            onChange={(e) => setItem(n, { action: e.currentTarget.value })}
            style={{ flex: 2, minWidth: 200 }}
          />
          <TextInput label="Owner" value={it.owner} onChange={(e) => setItem(n, { owner: e.currentTarget.value })} style={{ flex: 1, minWidth: 120 }} />
          <Select
            label="Priority"
            data={[...ACTION_ITEM_PRIORITIES]}
            value={it.priority}
            allowDeselect={false}
            onChange={(v) => v && setItem(n, { priority: v as ActionItemPriority })}
            w={110}
          />
          <TextInput label="Due (YYYY-MM-DD)" value={it.dueDate ?? ''} onChange={(e) => setItem(n, { dueDate: e.currentTarget.value || null })} w={150} />
          <Button variant="subtle" color="red" onClick={() => setItems(items.filter((_, k) => k !== n))}>
            Remove
          </Button>
        </Group>
      ))}
      <Group>
        <Button variant="default" onClick={() => setItems([...items, { action: '', owner: '', priority: 'medium', dueDate: null }])}>
          Add action item
        </Button>
      </Group>
      {save.error && <ApiErrorAlert error={save.error} />}
      <Group>
        <Button loading={save.isPending} onClick={() => save.mutate()}>
          Save version {pir.version + 1}
        </Button>
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}

/** A wide table scrolls sideways on phones inside a focusable, named region (keyboard users can scroll it too). */
function ScrollableTable({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      <div style={{ minWidth }}>{children}</div>
    </div>
  );
}
