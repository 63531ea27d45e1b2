export * from './tenant-context';
export * from './tenant-transaction';
