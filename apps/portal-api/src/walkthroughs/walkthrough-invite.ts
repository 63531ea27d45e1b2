import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

/**
 * The iCalendar (RFC 5545) invite of a walkthrough, scheduled per iTIP (RFC 5546): METHOD:REQUEST for a booking
 * or a reschedule, METHOD:CANCEL for a cancellation. The UID stays the same for the life of a booking and the
 * SEQUENCE grows with every change, so calendar clients update (or remove) the event they already hold instead of
 * adding another. Times are written in UTC (DTSTART:…Z); clients show them in their own zone.
 */
export interface InviteInput {
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  sequence: number;
  startsAt: Date;
  endsAt: Date;
  /** DTSTAMP: when this version of the invite was made. */
  stamp: Date;
  summary: string;
  description: string;
  url: string | null;
  organizer: { name: string; email: string };
  attendees: { name: string; email: string; chair?: boolean }[];
}

export function walkthroughInvite(i: InviteInput): string {
  const cal = ical({
    prodId: { company: 'Claresia', product: 'Incident portal', language: 'EN' },
    method: i.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  cal.createEvent({
    id: i.uid,
    sequence: i.sequence,
    start: i.startsAt,
    end: i.endsAt,
    stamp: i.stamp,
    summary: i.summary,
    description: i.description,
    url: i.url,
    status: i.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: i.organizer.name, email: i.organizer.email },
    attendees: i.attendees.map((a) => ({
      name: a.name,
      email: a.email,
      role: a.chair ? ICalAttendeeRole.CHAIR : ICalAttendeeRole.REQ,
      status: a.chair ? ICalAttendeeStatus.ACCEPTED : ICalAttendeeStatus.NEEDSACTION,
      rsvp: !a.chair,
    })),
  });
  return cal.toString();
}
