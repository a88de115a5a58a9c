export * from './app-config.module';
export * from './database.module';
export * from './queue-root.module';
export * from './redis-outage-log';
