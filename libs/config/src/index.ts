export * from './env.schema';
export * from './master-key';
