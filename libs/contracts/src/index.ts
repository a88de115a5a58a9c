export * from './task-status';
export * from './task.schema';
export * from './task.view';
export * from './task-lifecycle.view';
