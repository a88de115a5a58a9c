import { TaskLogEntity } from './task-log.entity';
import { TaskEntity } from './task.entity';

export { TaskEntity, TaskLogEntity };
export type { RequestedOperation, StoredTaskConfig } from './task.entity';
export type { TaskLogLevel } from './task-log.entity';

export const ENTITIES = [TaskEntity, TaskLogEntity];
