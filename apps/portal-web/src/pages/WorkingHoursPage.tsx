import { useState } from 'react';
import { Button, Checkbox, Container, Group, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WorkingHoursInput, WorkingHoursView } from '@portal/contracts';
import { api } from '../api/endpoints';
import { ApiErrorAlert } from '../components/ApiErrorAlert';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HALF_HOURS = Array.from({ length: 49 }, (_, n) => `${String(Math.floor(n / 2)).padStart(2, '0')}:${n % 2 ? '30' : '00'}`);
const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

/** A CSM's working hours: the times offered to customers for PIR walkthroughs, in the CSM's own time zone. */
export function WorkingHoursPage() {
  const hours = useQuery({ queryKey: ['working-hours'], queryFn: api.workingHours });
  return (
    <Container size="md">
      <Stack gap="lg">
        <Title order={1}>Working hours</Title>
        <Text>
          Customers and you book 30-minute walkthroughs of post-incident reviews in these hours, in your time zone; each booking sends both of you a calendar
          invite.
        </Text>
        {hours.error && <ApiErrorAlert error={hours.error} />}
        {hours.data && <HoursForm saved={hours.data} />}
      </Stack>
    </Container>
  );
}

function HoursForm({ saved }: { saved: WorkingHoursView }) {
  const qc = useQueryClient();
  const [form, setForm] = useState<WorkingHoursInput>({
    timeZone: saved.timeZone,
    workingDays: saved.workingDays,
    dayStart: saved.dayStart,
    dayEnd: saved.dayEnd,
  });
  const save = useMutation({
    mutationFn: (body: WorkingHoursInput) => api.saveWorkingHours(body),
    onSuccess: (next) => {
      qc.setQueryData(['working-hours'], next);
      notifications.show({ color: 'green', message: 'Working hours saved: new walkthrough slots follow them.' });
    },
  });
  const zones = ZONES.includes(form.timeZone) ? ZONES : [form.timeZone, ...ZONES];
  return (
    <Paper p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="hours-title">
      <Stack gap="md">
        <Title order={2} size="h4" id="hours-title">
          {saved.customised ? 'Your hours' : 'Your hours (the default until you save)'}
        </Title>
        <NativeSelect label="Time zone" data={zones} value={form.timeZone} onChange={(e) => setForm({ ...form, timeZone: e.currentTarget.value })} maw={320} />
        <Checkbox.Group
          label="Working days"
          value={form.workingDays.map(String)}
          onChange={(v) => setForm({ ...form, workingDays: v.map(Number).sort((a, b) => a - b) })}
        >
          <Group gap="md" mt={4} wrap="wrap">
            {DAYS.map((d, n) => (
              <Checkbox key={d} value={String(n + 1)} label={d} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group wrap="wrap">
          <NativeSelect
            label="From"
            data={HALF_HOURS.slice(0, 48)}
            value={form.dayStart}
            onChange={(e) => setForm({ ...form, dayStart: e.currentTarget.value })}
          />
          <NativeSelect
            label="Until"
            data={HALF_HOURS.slice(1).map((h) => (h === '24:00' ? { value: h, label: '24:00 (midnight)' } : h))}
            value={form.dayEnd}
            onChange={(e) => setForm({ ...form, dayEnd: e.currentTarget.value })}
          />
        </Group>
        {save.error && <ApiErrorAlert error={save.error} listFields />}
        <Group>
          <Button loading={save.isPending} onClick={() => save.mutate(form)}>
            Save working hours
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
