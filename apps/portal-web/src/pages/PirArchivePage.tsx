import { useState, type FormEvent } from 'react';
import { Anchor, Badge, Button, Container, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { SERVICES, SEVERITIES, type PirSearchHit, type SearchPirsQuery } from '@portal/contracts';
import { api } from '../api/endpoints';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { usePageTitle } from '../hooks/use-page-title';

/** The snippet's matches (between \u0001 and \u0002 from the API) as <mark>, the rest as text: never HTML. */
function Snippet({ text }: { text: string }) {
  const START = String.fromCharCode(1);
  const STOP = String.fromCharCode(2);
  // "a\u0001b\u0002c" → ["a", "b\u0002c"] → text "a", mark "b", text "c".
  const parts = text.split(START).flatMap((chunk, n) => {
    if (n === 0) return [{ mark: false, text: chunk }];
    const [hit, ...rest] = chunk.split(STOP);
    return [
      { mark: true, text: hit },
      { mark: false, text: rest.join('') },
    ];
  });
  return (
    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
      {parts.map((p, n) => (p.mark ? <mark key={n}>{p.text}</mark> : <span key={n}>{p.text}</span>))}
    </Text>
  );
}

/** The archive of published post-incident reviews: full-text search over every section and action item. */
export function PirArchivePage() {
  usePageTitle('Post-incident reviews');
  const [form, setForm] = useState<SearchPirsQuery>({});
  const [q, setQ] = useState<SearchPirsQuery>({});
  const result = useQuery({ queryKey: ['pirs', q], queryFn: () => api.searchPirs(q) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setQ({ ...form });
  };
  return (
    <Container size="lg">
      <Stack gap="md">
        <Title order={1} className="page-title">
          Post-incident reviews
        </Title>
        <Paper p="md" component="form" onSubmit={submit} role="search" aria-label="Search the reviews">
          <Group align="flex-end" wrap="wrap" gap="sm">
            <TextInput
              label="Search"
              placeholder="e.g. certificate expired"
              value={form.q ?? ''}
              onChange={(e) => setForm({ ...form, q: e.currentTarget.value || undefined })}
              style={{ flex: 2, minWidth: 200 }}
            />
            <Select
              label="Service"
              clearable
              data={[...SERVICES]}
              value={form.service ?? null}
              onChange={(v) => setForm({ ...form, service: (v ?? undefined) as SearchPirsQuery['service'] })}
              w={190}
            />
            <Select
              label="Severity"
              clearable
              data={SEVERITIES.map((s) => ({ value: s, label: s.replace('sev', 'Sev ') }))}
              value={form.severity ?? null}
              onChange={(v) => setForm({ ...form, severity: (v ?? undefined) as SearchPirsQuery['severity'] })}
              w={120}
            />
            <TextInput
              label="From (YYYY-MM-DD)"
              value={form.from ?? ''}
              onChange={(e) => setForm({ ...form, from: e.currentTarget.value || undefined })}
              w={150}
            />
            <TextInput label="To (YYYY-MM-DD)" value={form.to ?? ''} onChange={(e) => setForm({ ...form, to: e.currentTarget.value || undefined })} w={150} />
            <Button type="submit">Search</Button>
          </Group>
        </Paper>
        {result.error && <ApiErrorAlert error={result.error} />}
        <Stack gap="sm" aria-live="polite" data-testid="pir-results">
          {result.data && result.data.items.length === 0 && <Text size="sm">No published review matches.</Text>}
          {result.data?.items.map((h: PirSearchHit) => (
            <Paper key={h.pirId} p="md" component="article" aria-labelledby={`hit-${h.pirId}`}>
              <Group gap="xs" mb={4} wrap="wrap">
                <Badge variant="light" color="red">
                  {h.severity.replace('sev', 'Sev ')}
                </Badge>
                <Anchor component={Link} to={`/incidents/${h.incidentId}#pir`} id={`hit-${h.pirId}`} fw={600}>
                  {h.reference} {h.title}
                </Anchor>
              </Group>
              <Text size="xs" mb={4}>
                {h.tenant.name} · {h.services.join(', ')} · published {new Date(h.publishedAt).toLocaleDateString()}
              </Text>
              <Snippet text={h.snippet} />
            </Paper>
          ))}
        </Stack>
      </Stack>
    </Container>
  );
}
