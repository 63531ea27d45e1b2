/**
 * Typed errors of the SLA library. They mean a caller bug (a calendar that was never validated,
 * an incident record that contradicts itself), so the app should map them to a 500, or check with
 * `validateCalendar` before saving a calendar.
 */
export class InvalidBusinessCalendar extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid business calendar: ${problems.join('; ')}`);
    this.name = 'InvalidBusinessCalendar';
  }
}

export class InvalidSlaInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSlaInput';
  }
}
