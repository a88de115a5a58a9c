export * from './task.repository';
export * from './task-log.repository';
