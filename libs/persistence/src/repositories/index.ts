export * from './task.repository';
export * from './task-log.repository';
export * from './precheck.repository';
