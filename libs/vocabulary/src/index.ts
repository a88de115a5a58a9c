// The product's words, as `as const` lists and the types built from them. This lib depends on
// nothing and every other project builds from it: add a value to a list and tsc shows every
// place that has to handle it (ARCHITECTURE.md, "One vocabulary").
export * from './auto-topic';
export * from './backfill';
export * from './connection-target';
export * from './error-codes';
export * from './failure-kind';
export * from './log-level';
export * from './notification';
export * from './precheck';
export * from './role';
export * from './task-operation';
export * from './task-status';
export * from './throughput-counters';
export * from './worker-mode';
