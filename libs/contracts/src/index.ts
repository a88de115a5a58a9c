// The product's words (statuses, operations, error codes…) are part of the contract.
export * from '@walbridge/vocabulary';
export * from './task-list';
export * from './task.schema';
export * from './task.view';
export * from './connection.schema';
export * from './connection.view';
export * from './precheck.view';
export * from './source-objects.view';
export * from './auth.schema';
export * from './task-lifecycle.view';
export * from './monitoring.view';
export * from './notification.schema';
export * from './avro/envelope-avro-schema';
export * from './message-browser';
export * from './snapshot.schema';
export * from './fleet.view';
export * from './worker-tuning.schema';
