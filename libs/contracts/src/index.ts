export * from './incident';
export * from './tenant';
export * from './errors';
export * from './views';
export * from './domain-events';
export * from './notifications';
export * from './status-page';
export * from './credential-health';
export * from './pir';
// SLA reports (issue 15b)
export * from './reports';
// CSM walkthroughs (issue 15, h2a-walkthroughs)
export * from './walkthrough';
