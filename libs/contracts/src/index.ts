export * from './task-status';
export * from './task.schema';
export * from './task.view';
export * from './connection.schema';
export * from './connection.view';
export * from './precheck.view';
export * from './source-objects.view';
export * from './auth.schema';
