export * from './task.repository';
export * from './task-log.repository';
export * from './precheck.repository';
export * from './user.repository';
export * from './user-session.repository';
export * from './api-token.repository';
export * from './audit-log.repository';
