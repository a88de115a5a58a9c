import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { NotificationKindName, NotificationSeverityName } from '@walbridge/contracts';
import { TaskEntity } from './task.entity';

/**
 * A notification as the inbox shows it. `dedupe_key` names the event it reports (the alarm of
 * one delay episode, the abnormal state of one failure episode…): a second scheduler, or the
 * same one after a restart, can never notify the same event twice.
 */
@Entity({ name: 'notification' })
@Index('notification_created_idx', ['createdAt', 'id'])
@Index('notification_task_idx', ['taskId', 'createdAt'])
@Index('notification_dedupe_key', ['dedupeKey'], { unique: true })
export class NotificationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_notification_task' })
  task?: TaskEntity;

  /** The task's name when it was notified. */
  @Column({ name: 'task_name', type: 'varchar', length: 50, nullable: true })
  taskName!: string | null;

  @Column({ type: 'varchar', length: 32 })
  kind!: NotificationKindName;

  @Column({ type: 'varchar', length: 16 })
  severity!: NotificationSeverityName;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'text' })
  runbook!: string;

  @Column({ type: 'jsonb' })
  figures!: Record<string, string | number | boolean | null>;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 200, nullable: true })
  dedupeKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * A user has read a notification (read marks are per user). No foreign key to the user: the
 * marks go with their notification, and a deleted user's marks harm nobody.
 */
@Entity({ name: 'notification_read' })
@Index('notification_read_user_idx', ['userId'])
export class NotificationReadEntity {
  @PrimaryColumn({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'FK_notification_read_notification' })
  notification?: NotificationEntity;

  @CreateDateColumn({ name: 'read_at', type: 'timestamptz' })
  readAt!: Date;
}
