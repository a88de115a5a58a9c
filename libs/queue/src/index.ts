export * from './queues';
export * from './worker-protocol';
