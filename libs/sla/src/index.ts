export type {
  BusinessCalendar,
  Channel,
  ClockKind,
  ClockState,
  ClockTarget,
  IncidentPlane,
  IncidentStatus,
  ServiceMode,
  Severity,
  SlaBlock,
  SlaClock,
  SlaInput,
  SlaPause,
} from './sla.types';
export { DEFAULT_CALENDAR, addBusinessDays, isBusinessTime, validateCalendar } from './business-calendar';
export { SLA_POLICY, requiredChannels, responseTarget } from './sla-policy';
export type { SeverityModePolicy, SlaPolicy } from './sla-policy';
export { ASSISTING_NOTE, computeSla, targetDueAt } from './sla-clocks';
export { InvalidBusinessCalendar, InvalidSlaInput } from './sla.errors';
