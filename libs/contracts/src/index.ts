export * from './incident';
export * from './tenant';
export * from './errors';
export * from './views';
export * from './domain-events';
export * from './pir';
