export * from './env.schema';
export * from './master-key';
export * from './redis-connection';
