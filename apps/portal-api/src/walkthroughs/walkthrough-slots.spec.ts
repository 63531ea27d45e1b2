import * as nodeIcal from 'node-ical';
import { walkthroughInvite } from './walkthrough-invite';
import { DEFAULT_WORKING_HOURS, businessDates, describeHours, offeredSlots, slotProblem } from './walkthrough-slots';

const london = DEFAULT_WORKING_HOURS('Europe/London');
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('walkthrough slots', () => {
  it('offers 30-minute slots in the CSM’s working hours from now over the next business days', () => {
    // Wednesday 25 Nov 2026, 15:10 in London (UTC+0 in November).
    const slots = offeredSlots(london, { now: at('2026-11-25T15:10:00Z'), businessDays: 3 }, []);
    expect(iso(slots[0].startsAt)).toBe('2026-11-25T15:30:00.000Z');
    expect(iso(slots[0].endsAt)).toBe('2026-11-25T16:00:00.000Z');
    // Wed (3 left today: 15:30, 16:00, 16:30), Thu (16), Fri (16); the weekend is skipped.
    expect(slots).toHaveLength(3 + 16 + 16);
    expect(iso(slots[slots.length - 1].startsAt)).toBe('2026-11-27T16:30:00.000Z');
    expect(businessDates(london, { now: at('2026-11-27T18:00:00Z'), businessDays: 2 })).toEqual(['2026-11-27', '2026-11-30']);
  });

  it('keeps wall-clock hours in the CSM’s zone across daylight saving', () => {
    const rome = DEFAULT_WORKING_HOURS('Europe/Rome');
    // Friday 27 March 2026 (UTC+1) and Monday 30 March (UTC+2, after the spring-forward on the 29th).
    const slots = offeredSlots(rome, { now: at('2026-03-27T06:00:00Z'), businessDays: 2 }, []);
    expect(iso(slots[0].startsAt)).toBe('2026-03-27T08:00:00.000Z');
    expect(iso(slots.find((s) => s.startsAt.getUTCDate() === 30)!.startsAt)).toBe('2026-03-30T07:00:00.000Z');
  });

  it('skips a wall-clock time that does not exist (spring-forward gap)', () => {
    const night = { timeZone: 'Europe/London', workingDays: [7], dayStart: '00:30', dayEnd: '02:30' };
    const slots = offeredSlots(night, { now: at('2026-03-28T12:00:00Z'), businessDays: 1 }, []);
    // 29 March 2026: 01:00–02:00 local does not exist, so 01:00 and 01:30 are no slots; 00:30 and 02:00 (BST) are.
    expect(slots.map((s) => iso(s.startsAt))).toEqual(['2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z']);
  });

  it('leaves out busy ranges (any overlap)', () => {
    const busy = [
      { startsAt: at('2026-11-26T09:00:00Z'), endsAt: at('2026-11-26T09:30:00Z') },
      { startsAt: at('2026-11-26T10:15:00Z'), endsAt: at('2026-11-26T10:45:00Z') },
    ];
    // Wednesday evening: nothing left today; Thursday 26 is the next business day.
    const slots = offeredSlots(london, { now: at('2026-11-25T18:00:00Z'), businessDays: 2 }, busy).map((s) => iso(s.startsAt).slice(11, 16));
    expect(slots.slice(0, 3)).toEqual(['09:30', '11:00', '11:30']);
  });

  it('names the problem with a requested start', () => {
    const w = { now: at('2026-11-25T12:00:00Z'), businessDays: 5 };
    expect(slotProblem(london, at('2026-11-26T10:00:00Z'), w)).toBeNull();
    expect(slotProblem(london, at('2026-11-26T10:15:00Z'), w)).toMatch(/30-minute boundary .* Europe\/London/);
    expect(slotProblem(london, at('2026-11-26T10:00:30Z'), w)).toMatch(/boundary/);
    expect(slotProblem(london, at('2026-11-25T11:30:00Z'), w)).toBe('is in the past');
    expect(slotProblem(london, at('2026-11-26T17:00:00Z'), w)).toBe("is outside the CSM's working hours (Mon–Fri 09:00–17:00 Europe/London)");
    expect(slotProblem(london, at('2026-11-26T16:30:00Z'), w)).toBeNull();
    expect(slotProblem(london, at('2026-11-28T10:00:00Z'), w)).toMatch(/outside/);
    expect(slotProblem(london, at('2026-12-03T10:00:00Z'), w)).toBe('is more than 5 business days ahead');
    // 10:00 Rome is 09:00 London: a half-hour grid in another zone is still checked in the CSM's.
    expect(slotProblem({ ...london, timeZone: 'Asia/Kathmandu' }, at('2026-11-26T04:15:00Z'), w)).toBeNull();
  });

  it('describes working hours for people', () => {
    expect(describeHours(london)).toBe('Mon–Fri 09:00–17:00 Europe/London');
    expect(describeHours({ ...london, workingDays: [1, 3, 4, 5, 7] })).toBe('Mon, Wed–Fri, Sun 09:00–17:00 Europe/London');
  });
});

describe('walkthrough invite', () => {
  const base = {
    uid: 'walkthrough-1@portal.example',
    startsAt: at('2026-11-26T10:00:00Z'),
    endsAt: at('2026-11-26T10:30:00Z'),
    stamp: at('2026-11-25T12:00:00Z'),
    summary: 'PIR walkthrough: INC-7',
    description: 'A walkthrough of the post-incident review.',
    url: 'https://portal.example/incidents/1#pir',
    organizer: { name: 'Casey CSM', email: 'csm@vendor.example' },
    attendees: [
      { name: 'Casey CSM', email: 'csm@vendor.example', chair: true },
      { name: 'Ada Admin', email: 'ada@acme.example' },
    ],
  };

  it('is an iTIP request a calendar parser reads back (UID, SEQUENCE, ORGANIZER, ATTENDEEs, UTC times)', () => {
    const text = walkthroughInvite({ ...base, method: 'REQUEST', sequence: 0 });
    expect(text).toContain('METHOD:REQUEST');
    expect(text).toMatch(/DTSTART:20261126T100000Z/);
    const parsed = nodeIcal.sync.parseICS(text);
    const ev = Object.values(parsed).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent;
    expect(ev.uid).toBe(base.uid);
    expect(Number(ev.sequence)).toBe(0);
    expect(ev.start.toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(ev.end?.toISOString()).toBe('2026-11-26T10:30:00.000Z');
    expect(JSON.stringify(ev.organizer)).toMatch(/mailto:csm@vendor\.example/i);
    const attendees = ([] as unknown[]).concat(ev.attendee).map((a) => JSON.stringify(a));
    expect(attendees.join()).toMatch(/mailto:ada@acme\.example/i);
  });

  it('cancels the same event with a higher SEQUENCE', () => {
    const text = walkthroughInvite({ ...base, method: 'CANCEL', sequence: 2 });
    expect(text).toContain('METHOD:CANCEL');
    expect(text).toContain('STATUS:CANCELLED');
    const ev = Object.values(nodeIcal.sync.parseICS(text)).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent;
    expect(ev.uid).toBe(base.uid);
    expect(Number(ev.sequence)).toBe(2);
  });
});
