export * from './queues';
export * from './worker-protocol';
export * from './fleet-registry';
export * from './protocol';
