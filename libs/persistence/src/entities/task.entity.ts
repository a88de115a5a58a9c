import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { FailureKind, PendingOperation, TaskStatus } from '@walbridge/contracts';
import type { DelayAlarmState } from '@walbridge/domain';

/** Non-secret configuration, as validated by the contracts schema (passwords removed). */
export type StoredTaskConfig = Record<string, unknown>;

@Entity({ name: 'task' })
@Index('task_status_idx', ['status'])
export class TaskEntity {
  /** Chosen by the service (not the database) because the default slot name derives from it. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 50 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: TaskStatus;

  @Column({ type: 'jsonb' })
  config!: StoredTaskConfig;

  /** AES-256-GCM ciphertext of the task's credentials; null once wiped. */
  @Column({ type: 'bytea', nullable: true })
  secrets!: Buffer | null;

  @Column({ name: 'slot_name', type: 'varchar', length: 63 })
  slotName!: string;

  @Column({ name: 'publication_name', type: 'varchar', length: 63 })
  publicationName!: string;

  @Column({ name: 'confirmed_lsn', type: 'varchar', length: 32, nullable: true })
  confirmedLsn!: string | null;

  @Column({ name: 'delay_seconds', type: 'double precision', nullable: true })
  delaySeconds!: number | null;

  /**
   * An accepted operation a scheduler still has to carry out: the stop flavour while STOPPING, or a
   * reset / drop-slot, so whichever scheduler owns the task honours it even if its job was lost.
   */
  @Column({ name: 'requested_operation', type: 'varchar', length: 16, nullable: true })
  requestedOperation!: PendingOperation | null;

  /** Set by reset: the task must pass a precheck again before it is submitted. */
  @Column({ name: 'precheck_required', type: 'boolean', default: false })
  precheckRequired!: boolean;

  /** Start time of a scheduled start; the scheduler starts the task when it is due. */
  @Column({ name: 'scheduled_start_at', type: 'timestamptz', nullable: true })
  scheduledStartAt!: Date | null;

  /** First failure of the current failure episode (null while healthy); retry windows count from here. */
  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @Column({ name: 'failure_kind', type: 'varchar', length: 16, nullable: true })
  failureKind!: FailureKind | null;

  /** Failures are retried until then (the window of the latest failure's kind). */
  @Column({ name: 'retry_until', type: 'timestamptz', nullable: true })
  retryUntil!: Date | null;

  /** An abnormal task not resumed by then is stopped automatically (alarms.abnormalStopDays). */
  @Column({ name: 'auto_stop_at', type: 'timestamptz', nullable: true })
  autoStopAt!: Date | null;

  /** Retries gave up at this time: the task stays abnormal until resumed. */
  @Column({ name: 'retry_exhausted_at', type: 'timestamptz', nullable: true })
  retryExhaustedAt!: Date | null;

  /** Whether the replication slot exists on the source, as last seen (null: never looked). */
  @Column({ name: 'slot_exists', type: 'boolean', nullable: true })
  slotExists!: boolean | null;

  /** WAL retained by the slot in bytes (bigint: TypeORM returns it as a string). */
  @Column({ name: 'slot_retained_bytes', type: 'bigint', nullable: true })
  slotRetainedBytes!: string | null;

  @Column({ name: 'slot_checked_at', type: 'timestamptz', nullable: true })
  slotCheckedAt!: Date | null;

  /**
   * Where the slot this task created (a first start, or a reset) begins, its consistent point;
   * null while the task has not created one. A task with a created slot or a confirmed position
   * never creates its slot again silently when it disappears (changes since would be skipped).
   */
  @Column({ name: 'slot_created_lsn', type: 'varchar', length: 32, nullable: true })
  slotCreatedLsn!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The delay alarm's state (libs/domain delay-alarm), kept by the scheduler owning the task. */
  @Column({ name: 'delay_alarm', type: 'jsonb', nullable: true })
  delayAlarm!: DelayAlarmState | null;

  /** Since when the slot's retained WAL is above the task's limit (notified then); null below it. */
  @Column({ name: 'wal_alarm_since', type: 'timestamptz', nullable: true })
  walAlarmSince!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
