export * from './placement';
export * from './worker-intent';
export * from './next-action';
export * from './exit-outcome';
export * from './failure-outcome';
export * from './restart-backoff';
export * from './task-log-text';
export * from './lease-renewal';
