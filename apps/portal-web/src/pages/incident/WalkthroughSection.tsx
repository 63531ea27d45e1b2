import { useMemo, useState } from 'react';
import { Badge, Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCalendarEvent } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role, WalkthroughState, WalkthroughView } from '@portal/contracts';
import { api } from '../../api/endpoints';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Card } from './Card';

const VIEWER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const fmt = (iso: string, timeZone: string, opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-GB', { timeZone, ...opts }).format(new Date(iso));
const day = (iso: string, tz: string) => fmt(iso, tz, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
const time = (iso: string, tz: string) => fmt(iso, tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const key = (id: string) => ['incident', id, 'walkthrough'] as const;

/**
 * A 30-minute walkthrough of the published review with the tenant's CSM: customer admins and the CSM pick a free slot
 * of the CSM's working hours (shown in the viewer's zone, with the CSM's zone beside it), then reschedule or cancel;
 * both sides get a calendar invite by email. Everyone who reads the review sees the booking.
 */
export function WalkthroughSection({ incidentId, role }: { incidentId: string; role: Role }) {
  const qc = useQueryClient();
  const state = useQuery({ queryKey: key(incidentId), queryFn: () => api.walkthrough(incidentId) });
  const [picking, setPicking] = useState(false);
  const onChanged = (w: WalkthroughView) => {
    qc.setQueryData<WalkthroughState>(key(incidentId), (s) => ({ canBook: s?.canBook ?? true, walkthrough: w.status === 'booked' ? w : null }));
    void qc.invalidateQueries({ queryKey: [...key(incidentId), 'slots'] });
    setPicking(false);
  };
  const cancel = useMutation({
    mutationFn: () => api.cancelWalkthrough(incidentId),
    onSuccess: (w) => {
      onChanged(w);
      notifications.show({ color: 'green', message: 'Walkthrough cancelled; both sides get a cancellation for their calendar.' });
    },
  });

  if (state.isPending) return null;
  if (!state.data) return <ApiErrorAlert error={state.error} title="The walkthrough could not be loaded" />;
  const { walkthrough: w, canBook } = state.data;
  return (
    <Card title="Walkthrough with your CSM" id="walkthrough" testId="walkthrough">
      <Stack gap="sm">
        {w ? (
          <Stack gap={4} data-testid="walkthrough-booking">
            <Group gap="xs">
              <Badge variant="light" color="green" leftSection={<IconCalendarEvent size={14} aria-hidden />}>
                Booked
              </Badge>
              <Text size="sm" fw={600}>
                {day(w.startsAt, VIEWER_ZONE)}, {time(w.startsAt, VIEWER_ZONE)}–{time(w.endsAt, VIEWER_ZONE)} ({VIEWER_ZONE}, your time)
              </Text>
            </Group>
            <Text size="sm">
              {time(w.startsAt, w.csm.timeZone)}–{time(w.endsAt, w.csm.timeZone)} in {w.csm.timeZone}, the CSM’s time zone.
            </Text>
            <Text size="sm">
              With {w.csm.name} &lt;{w.csm.email}&gt; and {w.attendee.name} &lt;{w.attendee.email}&gt;. Booked by {w.bookedBy}.
              {w.sequence > 0 ? ` Rescheduled ${w.sequence}×.` : ''}
            </Text>
          </Stack>
        ) : (
          <Text size="sm">
            {canBook
              ? 'Go through this review with your customer success manager in a 30-minute call. Pick a time: both of you get a calendar invite.'
              : 'No walkthrough is booked. A customer admin or the CSM can book one.'}
          </Text>
        )}
        {canBook && !picking && (
          <Group wrap="wrap">
            <Button variant={w ? 'default' : 'filled'} onClick={() => setPicking(true)}>
              {w ? 'Reschedule' : 'Book a walkthrough'}
            </Button>
            {w && (
              <Button variant="default" color="red" loading={cancel.isPending} onClick={() => cancel.mutate()}>
                Cancel walkthrough
              </Button>
            )}
          </Group>
        )}
        {cancel.error && <ApiErrorAlert error={cancel.error} />}
        {canBook && picking && (
          <SlotPicker incidentId={incidentId} current={w} askAttendee={role === 'csm' && !w} onDone={onChanged} onClose={() => setPicking(false)} />
        )}
      </Stack>
    </Card>
  );
}

function SlotPicker({
  incidentId,
  current,
  askAttendee,
  onDone,
  onClose,
}: {
  incidentId: string;
  current: WalkthroughView | null;
  askAttendee: boolean;
  onDone: (w: WalkthroughView) => void;
  onClose: () => void;
}) {
  const offer = useQuery({ queryKey: [...key(incidentId), 'slots'], queryFn: () => api.walkthroughSlots(incidentId) });
  const byDay = useMemo(() => {
    const m = new Map<string, { startsAt: string; endsAt: string }[]>();
    for (const s of offer.data?.slots ?? []) {
      const d = day(s.startsAt, VIEWER_ZONE);
      m.set(d, [...(m.get(d) ?? []), s]);
    }
    return m;
  }, [offer.data]);
  const [chosenDay, setChosenDay] = useState<string | null>(null);
  const [startsAt, setStartsAt] = useState<string | null>(null);
  const [attendee, setAttendee] = useState('');
  const dayValue = chosenDay ?? [...byDay.keys()][0] ?? '';
  const times = byDay.get(dayValue) ?? [];
  const slotValue = startsAt && times.some((s) => s.startsAt === startsAt) ? startsAt : (times[0]?.startsAt ?? '');
  const save = useMutation({
    mutationFn: () =>
      current
        ? api.rescheduleWalkthrough(incidentId, { startsAt: slotValue })
        : api.bookWalkthrough(incidentId, { startsAt: slotValue, ...(askAttendee ? { attendeeEmail: attendee.trim() } : {}) }),
    onSuccess: (w) => {
      onDone(w);
      notifications.show({
        color: 'green',
        message: current ? 'Walkthrough rescheduled; the invites are updated.' : 'Walkthrough booked; the invites are on their way.',
      });
    },
  });

  if (offer.isPending) return <Text size="sm">Finding free times…</Text>;
  if (!offer.data) return <ApiErrorAlert error={offer.error} title="No times could be offered" />;
  const csmZone = offer.data.csm.timeZone;
  return (
    <Stack gap="sm" data-testid="walkthrough-picker">
      <Text size="sm">
        Free 30-minute times of {offer.data.csm.name} over the next {offer.data.days} working days, in your time zone ({VIEWER_ZONE}); the CSM works in{' '}
        {csmZone}.
      </Text>
      {offer.data.slots.length === 0 ? (
        <Text size="sm">No free time in that period. Try again later or write to {offer.data.csm.email}.</Text>
      ) : (
        <Group align="flex-end" wrap="wrap" gap="sm">
          <NativeSelect
            label="Day"
            data={[...byDay.keys()]}
            value={dayValue}
            onChange={(e) => {
              setChosenDay(e.currentTarget.value);
              setStartsAt(null);
            }}
            miw={180}
          />
          <NativeSelect
            label={`Time (${VIEWER_ZONE})`}
            data={times.map((s) => ({ value: s.startsAt, label: `${time(s.startsAt, VIEWER_ZONE)} (${time(s.startsAt, csmZone)} ${csmZone})` }))}
            value={slotValue}
            onChange={(e) => setStartsAt(e.currentTarget.value)}
            miw={220}
          />
        </Group>
      )}
      {askAttendee && (
        <TextInput
          label="Customer to invite"
          description="The email of a user of this tenant"
          value={attendee}
          onChange={(e) => setAttendee(e.currentTarget.value)}
          maw={360}
        />
      )}
      {save.error && <ApiErrorAlert error={save.error} listFields />}
      <Group>
        <Button disabled={!slotValue} loading={save.isPending} onClick={() => save.mutate()}>
          {current ? 'Move the walkthrough' : 'Book this time'}
        </Button>
        <Button variant="default" onClick={onClose}>
          Back
        </Button>
      </Group>
    </Stack>
  );
}
