import { ApiTokenEntity } from './api-token.entity';
import { AuditLogEntity } from './audit-log.entity';
import { TaskLogEntity } from './task-log.entity';
import { TaskEntity } from './task.entity';
import { UserSessionEntity } from './user-session.entity';
import { UserEntity } from './user.entity';

export { ApiTokenEntity, AuditLogEntity, TaskEntity, TaskLogEntity, UserEntity, UserSessionEntity };
export type { StoredTaskConfig } from './task.entity';
export type { TaskLogLevel } from './task-log.entity';

export const ENTITIES = [TaskEntity, TaskLogEntity, UserEntity, UserSessionEntity, ApiTokenEntity, AuditLogEntity];
