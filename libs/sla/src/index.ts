export type {
  BusinessCalendar,
  Channel,
  ClockHistory,
  ClockPause,
  ClockRun,
  ClockRunEnd,
  ClockRunOutcome,
  ClockKind,
  ClockState,
  ClockTarget,
  IncidentPlane,
  IncidentStatus,
  ResolvedPeriod,
  ServiceMode,
  Severity,
  SeverityChange,
  SlaBlock,
  SlaClock,
  SlaInput,
  SlaPause,
} from './sla.types';
export { DEFAULT_CALENDAR, addBusinessDays, businessDaysUntil, compileCalendar, isBusinessTime, validateCalendar } from './business-calendar';
export type { CompiledCalendar } from './business-calendar';
export { SLA_POLICY, requiredChannels, responseTarget } from './sla-policy';
export type { SeverityModePolicy, SlaPolicy } from './sla-policy';
export { ASSISTING_NOTE, clockHistory, computeSla, targetDueAt } from './sla-clocks';
export { InvalidBusinessCalendar, InvalidSlaInput } from './sla.errors';
export { clockOutcome, csvField, monthWindow, pirOutcome, quantile, slaReport, slaReportCsv } from './sla-report';
export type {
  Attainment,
  DurationFigures,
  IncidentClockOutcome,
  IncidentPirOutcome,
  SlaReport,
  SlaReportIncident,
  SlaReportInput,
  SlaReportRow,
} from './sla-report';
