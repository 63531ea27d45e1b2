import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Badge, Box, Button, FileInput, Group, List, Loader, Paper, Progress, Radio, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconChevronRight, IconDownload, IconFileUpload, IconLock, IconTrash, IconX } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { UploadCancelled, type UploadHandle } from '../api/client';
import { api } from '../api/endpoints';
import type { Attachment, AttachmentList, EvidenceKind, GovernanceExportInsights, HarInsights, IncidentDetail, ScreenshotInsights } from '../api/types';
import { incidentKey } from '../hooks/use-incidents';
import { useSignedIn } from '../hooks/use-me';
import { ApiErrorAlert } from './ApiErrorAlert';
import { Time } from './Time';
import { personName } from '../lib/people';

const KINDS: { value: EvidenceKind; label: string; accept: string; help: string }[] = [
  {
    value: 'har',
    label: 'HAR file (browser network log)',
    accept: '.har,.gz,.json',
    help: 'From your browser’s developer tools: Network tab → Export HAR. A .har or .har.gz of at least one failed request. Cookies, tokens, passwords and response bodies are removed before anything is stored; only the sanitized copy is kept.',
  },
  {
    value: 'governance-events',
    label: 'Governance events (Hub API export)',
    accept: '.json,.ndjson,.jsonl,.csv,.gz',
    help: 'The last hour of governance_event records from your Hub, as JSON, NDJSON or CSV. Every value is scanned for secrets before it is stored.',
  },
  {
    value: 'screenshot',
    label: 'Screenshot',
    accept: 'image/png,image/jpeg',
    help: 'PNG or JPEG. Location, camera and other metadata are removed.',
  },
];
const KIND_TITLES: Record<EvidenceKind, string> = { har: 'HAR', 'governance-events': 'Governance events', screenshot: 'Screenshot' };

const attachmentsKey = (id: string) => [...incidentKey(id), 'attachments'] as const;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ${units[u]}`;
}

const formatMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`);

/** Evidence of an incident: upload (HAR, governance event export, screenshot), what was redacted, what the file says. */
export function EvidenceSection({ incident }: { incident: IncidentDetail }) {
  const role = useSignedIn().principal.role;
  const list = useQuery({ queryKey: attachmentsKey(incident.id), queryFn: () => api.attachments(incident.id), refetchInterval: 60_000 });
  const [justUploaded, setJustUploaded] = useState<string | null>(null);

  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="evidence-title" data-testid="evidence">
      <Title order={2} size="h4" id="evidence-title" mb="md">
        Evidence
      </Title>
      {list.isPending ? (
        <Group gap="xs">
          <Loader size="xs" aria-label="Loading the evidence" />
          <Text size="sm">Loading the evidence…</Text>
        </Group>
      ) : list.isError ? (
        <ApiErrorAlert error={list.error} title="The evidence could not be loaded" />
      ) : (
        <Stack gap="lg">
          {list.data.canUpload && <UploadForm incident={incident} data={list.data} onUploaded={setJustUploaded} />}
          <AttachmentListView incidentId={incident.id} data={list.data} highlight={justUploaded} />
          <Text size="xs" c="dimmed">
            {list.data.retention.deletesAt ? (
              <>
                Evidence of this incident is deleted automatically on <Time iso={list.data.retention.deletesAt} />, {list.data.retention.days} days after it
                closed.
              </>
            ) : (
              <>Evidence is deleted automatically {list.data.retention.days} days after the incident closes.</>
            )}
            {role === 'csm' &&
              ' Your role sees what each file contains and what was removed; downloading the files is for the customer’s team and Claresia support.'}
          </Text>
        </Stack>
      )}
    </Paper>
  );
}

type Upload = { phase: 'idle' } | { phase: 'sending'; sent: number; total: number } | { phase: 'checking' } | { phase: 'failed'; error: unknown };

function UploadForm({ incident, data, onUploaded }: { incident: IncidentDetail; data: AttachmentList; onUploaded: (id: string) => void }) {
  const qc = useQueryClient();
  const [kind, setKind] = useState<EvidenceKind>('har');
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<Upload>({ phase: 'idle' });
  const handle = useRef<UploadHandle<Attachment> | null>(null);
  const busy = state.phase === 'sending' || state.phase === 'checking';
  const meta = KINDS.find((k) => k.value === kind)!;
  const limit = data.limits[kind];
  // checked before sending; the server checks again (and a .gz once more after inflating)
  const tooBig = file && file.size > limit ? `${file.name} is ${formatBytes(file.size)}; the limit for this kind is ${formatBytes(limit)}.` : null;

  // Leaving the page cancels an upload in flight.
  useEffect(() => () => handle.current?.abort(), []);

  const pick = (f: File | null) => {
    setFile(f);
    setState({ phase: 'idle' });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || busy || tooBig) return;
    setState({ phase: 'sending', sent: 0, total: file.size });
    const h = api.uploadAttachment(incident.id, kind, file, (sent, total) =>
      setState(sent >= total ? { phase: 'checking' } : { phase: 'sending', sent, total }),
    );
    handle.current = h;
    try {
      const a = await h.promise;
      setState({ phase: 'idle' });
      setFile(null);
      onUploaded(a.id);
      notifications.show({
        color: 'green',
        message: `${a.displayName} uploaded. ${a.redactionReport.total ? `Removed: ${a.redactionReport.summary}.` : 'Nothing needed removing.'}`,
      });
      void qc.invalidateQueries({ queryKey: attachmentsKey(incident.id) });
      void qc.invalidateQueries({ queryKey: [...incidentKey(incident.id), 'events'] });
    } catch (err) {
      if (err instanceof UploadCancelled) {
        setState({ phase: 'idle' });
        notifications.show({ color: 'gray', message: 'Upload cancelled. Nothing was stored.' });
      } else {
        setState({ phase: 'failed', error: err });
      }
    } finally {
      handle.current = null;
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Upload evidence">
      <Stack gap="sm">
        <Radio.Group label="What are you uploading?" value={kind} onChange={(v) => (setKind(v as EvidenceKind), setState({ phase: 'idle' }))}>
          <Stack gap={6} mt={6}>
            {KINDS.map((k) => (
              <Radio key={k.value} value={k.value} label={k.label} disabled={busy} />
            ))}
          </Stack>
        </Radio.Group>
        <Text size="sm" c="dimmed">
          {meta.help} Up to {formatBytes(limit)}.
        </Text>
        <FileInput
          label="File"
          description="Click to choose the file (one per upload)"
          accept={meta.accept}
          value={file}
          onChange={pick}
          clearable
          disabled={busy}
          error={tooBig ?? undefined}
          leftSection={<IconFileUpload size={16} aria-hidden />}
        />
        {state.phase === 'sending' || state.phase === 'checking' ? (
          <UploadProgress state={state} onCancel={() => handle.current?.abort()} />
        ) : (
          <Group justify="flex-end">
            <Button type="submit" disabled={!file || !!tooBig} leftSection={<IconFileUpload size={16} aria-hidden />}>
              Upload
            </Button>
          </Group>
        )}
        {state.phase === 'failed' && <ApiErrorAlert error={state.error} title="The file was not accepted" />}
      </Stack>
    </form>
  );
}

function UploadProgress({ state, onCancel }: { state: Extract<Upload, { phase: 'sending' | 'checking' }>; onCancel: () => void }) {
  const pct = state.phase === 'sending' ? (state.total ? Math.floor((state.sent / state.total) * 100) : 0) : 100;
  return (
    <Stack gap={6} data-testid="upload-progress">
      <Progress.Root size="lg" aria-hidden={false}>
        <Progress.Section value={pct} withAria aria-label="Upload progress" animated={state.phase === 'checking'} />
      </Progress.Root>
      <Group justify="space-between" wrap="nowrap">
        <Text size="sm" aria-live="polite" data-testid="upload-progress-text">
          {state.phase === 'sending' ? `${formatBytes(state.sent)} of ${formatBytes(state.total)} sent (${pct}%)` : 'Sent. Checking and removing secrets…'}
        </Text>
        <Button variant="default" size="xs" onClick={onCancel} leftSection={<IconX size={14} aria-hidden />} disabled={state.phase === 'checking'}>
          Cancel upload
        </Button>
      </Group>
    </Stack>
  );
}

function AttachmentListView({ incidentId, data, highlight }: { incidentId: string; data: AttachmentList; highlight: string | null }) {
  if (data.items.length === 0) {
    return (
      <Text size="sm">
        No evidence yet. {data.canUpload ? 'A HAR of a failed request and the last hour of governance events help the investigation most.' : ''}
      </Text>
    );
  }
  return (
    <Box component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Uploaded evidence">
      {data.items.map((a) => (
        <AttachmentItem key={a.id} incidentId={incidentId} a={a} open={a.id === highlight} />
      ))}
    </Box>
  );
}

function AttachmentItem({ incidentId, a, open }: { incidentId: string; a: Attachment; open: boolean }) {
  const qc = useQueryClient();
  const [expanded, setExpanded] = useState(open);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.deleteAttachment(incidentId, a.id),
    onSuccess: () => {
      notifications.show({ color: 'green', message: `${a.displayName} deleted` });
      void qc.invalidateQueries({ queryKey: attachmentsKey(incidentId) });
      void qc.invalidateQueries({ queryKey: [...incidentKey(incidentId), 'events'] });
    },
  });
  // `open` turning true (a fresh upload) expands the item; adjusted during render, not in an effect.
  const [wasOpen, setWasOpen] = useState(open);
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) setExpanded(true);
  }
  const detailsId = `evidence-${a.id}-details`;

  return (
    <Box component="li" py="sm" style={{ borderBottom: '1px solid var(--portal-divider)' }} data-testid="evidence-item">
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
            <Group gap="xs" wrap="wrap">
              <Badge variant="light" color="gray" tt="none">
                {KIND_TITLES[a.kind]}
              </Badge>
              <Text size="sm" fw={700} className="break">
                {a.displayName}
              </Text>
            </Group>
            <Text size="xs" c="dimmed">
              {formatBytes(a.sizeBytes)} sanitized · <Time iso={a.uploadedAt} /> · {personName(a.uploadedBy.label)}
            </Text>
          </Stack>
          <Group gap="xs">
            {!a.downloadUrl && a.canDownload && a.storedIn === 'data_plane' && <DataPlaneDownload incidentId={a.incidentId} id={a.id} name={a.displayName} />}
            {a.downloadUrl && (
              <Button
                component="a"
                href={a.downloadUrl}
                download
                variant="light"
                size="xs"
                leftSection={<IconDownload size={14} aria-hidden />}
                aria-label={`Download the sanitized ${a.displayName}`}
              >
                Download
              </Button>
            )}
            {a.canDelete &&
              (confirming ? (
                <Group gap={4}>
                  <Button color="red" size="xs" loading={remove.isPending} onClick={() => remove.mutate()}>
                    Delete for good
                  </Button>
                  <Button variant="default" size="xs" onClick={() => setConfirming(false)}>
                    Keep
                  </Button>
                </Group>
              ) : (
                <Button
                  variant="subtle"
                  color="red"
                  size="xs"
                  leftSection={<IconTrash size={14} aria-hidden />}
                  onClick={() => setConfirming(true)}
                  aria-label={`Delete ${a.displayName}`}
                >
                  Delete
                </Button>
              ))}
          </Group>
        </Group>
        <Group gap={6} wrap="nowrap" align="flex-start">
          <IconLock size={14} aria-hidden style={{ marginTop: 3, flex: 'none' }} />
          <Text size="sm" data-testid="redaction-summary">
            {a.redactionReport.total ? `Removed before storing: ${a.redactionReport.summary}.` : 'Nothing needed removing.'}
          </Text>
        </Group>
        <InsightsHeadline a={a} />
        <UnstyledButton onClick={() => setExpanded((e) => !e)} aria-expanded={expanded} aria-controls={detailsId}>
          <Group gap={4}>
            {expanded ? <IconChevronDown size={14} aria-hidden /> : <IconChevronRight size={14} aria-hidden />}
            <Text size="sm" c="var(--mantine-color-blue-text)">
              {expanded ? 'Hide details' : 'Show details'}
            </Text>
          </Group>
        </UnstyledButton>
        {expanded && (
          <Box id={detailsId}>
            <InsightsDetails a={a} />
          </Box>
        )}
        {remove.error && <ApiErrorAlert error={remove.error} />}
      </Stack>
    </Box>
  );
}

function InsightsHeadline({ a }: { a: Attachment }) {
  if (a.kind === 'har') {
    const i = a.insights;
    const failed = i.failedRequests.reduce((n, f) => n + f.count, 0);
    return (
      <Text size="sm">
        {i.entryCount} requests{i.spanMs !== null ? ` over ${formatMs(i.spanMs)}` : ''}
        {failed ? `, ${failed} failed` : ', none failed'}
        {i.failedRequests[0] ? `; most often ${requestLine(i.failedRequests[0])}` : ''}.
      </Text>
    );
  }
  if (a.kind === 'governance-events') {
    const i = a.insights;
    return (
      <Text size="sm">
        {i.records} governance events ({i.format.toUpperCase()})
        {i.firstAt && i.lastAt ? (
          <>
            {' '}
            from <Time iso={i.firstAt} /> to <Time iso={i.lastAt} />
          </>
        ) : null}
        .
      </Text>
    );
  }
  const i = a.insights;
  return (
    <Text size="sm">
      {i.format.toUpperCase()} image{i.width && i.height ? `, ${i.width} × ${i.height}` : ''}
      {i.metadataRemoved ? `; ${i.metadataRemoved} metadata block${i.metadataRemoved === 1 ? '' : 's'} removed` : ''}.
    </Text>
  );
}

const requestLine = (r: { method: string; host: string; path: string; status: number; count?: number }) =>
  `${r.method} ${r.host}${r.path} → ${r.status === 0 ? 'no response' : r.status}${r.count && r.count > 1 ? ` ×${r.count}` : ''}`;

function InsightsDetails({ a }: { a: Attachment }) {
  return (
    <Stack gap="sm" pl="md" style={{ borderLeft: '2px solid var(--portal-divider)' }}>
      {a.kind === 'har' && <HarDetails i={a.insights} />}
      {a.kind === 'governance-events' && <GovernanceDetails i={a.insights} />}
      {a.kind === 'screenshot' && <ScreenshotDetails i={a.insights} />}
      {a.redactionReport.total > 0 && (
        <Detail title="What was removed, by rule">
          <Group gap={4}>
            {Object.entries(a.redactionReport.byRule).map(([rule, n]) => (
              <Badge key={rule} variant="outline" color="gray" tt="none" ff="monospace">
                {rule} ×{n}
              </Badge>
            ))}
          </Group>
        </Detail>
      )}
      <Text size="xs" c="dimmed" ff="monospace" className="break">
        sha256 {a.sha256}
      </Text>
    </Stack>
  );
}

function Detail({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box>
      <Text size="xs" fw={700} tt="uppercase" c="dimmed" mb={2}>
        {title}
      </Text>
      {children}
    </Box>
  );
}

function HarDetails({ i }: { i: HarInsights }) {
  return (
    <>
      {i.startedAt && (
        <Text size="sm">
          Recorded <Time iso={i.startedAt} />
          {i.spanMs !== null ? `, over ${formatMs(i.spanMs)}` : ''}.
        </Text>
      )}
      <Detail title="Failed requests">
        {i.failedRequests.length ? (
          <List size="sm" spacing={2}>
            {i.failedRequests.slice(0, 10).map((f) => (
              <List.Item key={`${f.method} ${f.host}${f.path} ${f.status}`}>
                <Text span size="sm" ff="monospace" className="break">
                  {requestLine(f)}
                </Text>
              </List.Item>
            ))}
          </List>
        ) : (
          <Text size="sm">None: every request got a 1xx–3xx answer.</Text>
        )}
        {i.failedRequests.length > 10 && (
          <Text size="xs" c="dimmed">
            and {i.failedRequests.length - 10} more groups
          </Text>
        )}
      </Detail>
      {i.slowestRequests.length > 0 && (
        <Detail title="Slowest requests">
          <List size="sm" spacing={2}>
            {i.slowestRequests.slice(0, 5).map((s, n) => (
              <List.Item key={n}>
                <Text span size="sm" ff="monospace" className="break">
                  {formatMs(s.timeMs)} · {requestLine(s)}
                </Text>
              </List.Item>
            ))}
          </List>
        </Detail>
      )}
      {i.errorCodes.length > 0 && (
        <Detail title="Error codes">
          <Group gap={4}>
            {i.errorCodes.map((c) => (
              <Badge key={`${c.source}:${c.code}`} variant="light" color="red" tt="none" ff="monospace">
                {c.code} ×{c.count}
              </Badge>
            ))}
          </Group>
        </Detail>
      )}
      {i.hosts.length > 0 && (
        <Detail title="Hosts">
          <Group gap={4}>
            {i.hosts.slice(0, 12).map((h) => (
              <Badge key={h.host} variant="light" color="gray" tt="none" ff="monospace">
                {h.host || '(no host)'} ×{h.count}
              </Badge>
            ))}
          </Group>
        </Detail>
      )}
    </>
  );
}

function GovernanceDetails({ i }: { i: GovernanceExportInsights }) {
  return (
    <>
      {i.actions.length > 0 && (
        <Detail title="Most frequent actions">
          <Group gap={4}>
            {i.actions.map((x) => (
              <Badge key={x.value} variant="light" color="gray" tt="none">
                {x.value} ×{x.count}
              </Badge>
            ))}
          </Group>
        </Detail>
      )}
      {i.outcomes.length > 0 && (
        <Detail title="Outcomes">
          <Group gap={4}>
            {i.outcomes.map((x) => (
              <Badge key={x.value} variant="light" color="gray" tt="none">
                {x.value} ×{x.count}
              </Badge>
            ))}
          </Group>
        </Detail>
      )}
      {i.fields.length > 0 && (
        <Detail title="Fields">
          <Text size="sm" ff="monospace" className="break">
            {i.fields.join(', ')}
          </Text>
        </Detail>
      )}
    </>
  );
}

function ScreenshotDetails({ i }: { i: ScreenshotInsights }) {
  return (
    <Alert variant="light" color="gray" p="xs">
      <Text size="sm">
        Stored without{' '}
        {i.metadataRemoved
          ? `its ${i.metadataRemoved} metadata block${i.metadataRemoved === 1 ? '' : 's'} (EXIF, location, comments)`
          : 'metadata (there was none)'}
        . Download it to view it.
      </Text>
    </Alert>
  );
}

/** BYOC: the file is in the tenant's data plane; a fresh grant (a few minutes, this file only) opens it there. */
function DataPlaneDownload({ incidentId, id, name }: { incidentId: string; id: string; name: string }) {
  const grant = useMutation({
    mutationFn: () => api.downloadGrant(incidentId, id),
    onSuccess: (t) => window.location.assign(t.url),
  });
  return (
    <Button
      variant="light"
      size="xs"
      loading={grant.isPending}
      onClick={() => grant.mutate()}
      leftSection={<IconDownload size={14} aria-hidden />}
      aria-label={`Download the sanitized ${name} from your data plane`}
      color={grant.isError ? 'red' : undefined}
      title={grant.isError ? 'The data plane could not be reached for a download link; try again.' : undefined}
    >
      Download
    </Button>
  );
}
