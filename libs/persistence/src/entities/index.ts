import { PrecheckItemEntity } from './precheck-item.entity';
import { PrecheckRunEntity } from './precheck-run.entity';
import { ApiTokenEntity } from './api-token.entity';
import { AuditLogEntity } from './audit-log.entity';
import { TaskLogEntity } from './task-log.entity';
import { TaskEntity } from './task.entity';
import { UserSessionEntity } from './user-session.entity';
import { UserEntity } from './user.entity';
import { TaskMetricEntity } from './task-metric.entity';
import { NotificationChannelEntity } from './notification-channel.entity';
import { NotificationEntity, NotificationReadEntity } from './notification.entity';
import { NotificationDeliveryEntity } from './notification-delivery.entity';
import { TaskBackfillEntity } from './task-backfill.entity';
import { TaskBackfillTableEntity } from './task-backfill-table.entity';
import { SavedConnectionEntity } from './saved-connection.entity';

export { ApiTokenEntity, AuditLogEntity, PrecheckItemEntity, PrecheckRunEntity, TaskEntity, TaskLogEntity, UserEntity, UserSessionEntity };
export { TaskMetricEntity, NotificationChannelEntity, NotificationEntity, NotificationReadEntity, NotificationDeliveryEntity };
export { TaskBackfillEntity, TaskBackfillTableEntity, SavedConnectionEntity };
export type { SavedConnectionSecrets } from './saved-connection.entity';
export type { StoredTaskConfig } from './task.entity';
export type { ChannelSecrets, StoredChannelConfig } from './notification-channel.entity';

export const ENTITIES = [
  TaskEntity,
  TaskLogEntity,
  PrecheckRunEntity,
  PrecheckItemEntity,
  UserEntity,
  UserSessionEntity,
  ApiTokenEntity,
  AuditLogEntity,
  TaskMetricEntity,
  NotificationChannelEntity,
  NotificationEntity,
  NotificationReadEntity,
  NotificationDeliveryEntity,
  TaskBackfillEntity,
  TaskBackfillTableEntity,
  SavedConnectionEntity,
];
