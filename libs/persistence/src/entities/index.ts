import { PrecheckItemEntity } from './precheck-item.entity';
import { PrecheckRunEntity } from './precheck-run.entity';
import { TaskLogEntity } from './task-log.entity';
import { TaskEntity } from './task.entity';

export { TaskEntity, TaskLogEntity, PrecheckRunEntity, PrecheckItemEntity };
export type { StoredTaskConfig } from './task.entity';
export type { TaskLogLevel } from './task-log.entity';
export type { PrecheckRunStatus } from './precheck-run.entity';
export type { PrecheckItemState } from './precheck-item.entity';

export const ENTITIES = [TaskEntity, TaskLogEntity, PrecheckRunEntity, PrecheckItemEntity];
