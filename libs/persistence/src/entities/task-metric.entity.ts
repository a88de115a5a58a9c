import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { TaskStatus } from '@walbridge/contracts';
import { TaskEntity } from './task.entity';

/**
 * The time series of PRODUCT.md §6: one row per streaming task every sampling interval (10 s by
 * default), kept for WALBRIDGE_METRICS_RETENTION_HOURS by the housekeeping sweep. Reads are by
 * task and time range (the primary key); the sweep deletes by time (the `at` index).
 * Counters are bigint (TypeORM returns them as strings).
 */
@Entity({ name: 'task_metric' })
@Index('task_metric_at_idx', ['at'])
export class TaskMetricEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  at!: Date;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_task_metric_task' })
  task?: TaskEntity;

  @Column({ type: 'varchar', length: 32 })
  status!: TaskStatus;

  @Column({ name: 'delay_seconds', type: 'double precision' })
  delaySeconds!: number;

  @Column({ name: 'rows_read_per_second', type: 'double precision' })
  rowsReadPerSecond!: number;

  @Column({ name: 'rows_written_per_second', type: 'double precision' })
  rowsWrittenPerSecond!: number;

  @Column({ name: 'bytes_read_per_second', type: 'double precision' })
  bytesReadPerSecond!: number;

  @Column({ name: 'bytes_written_per_second', type: 'double precision' })
  bytesWrittenPerSecond!: number;

  @Column({ name: 'rows_read', type: 'bigint' })
  rowsRead!: string;

  @Column({ name: 'rows_written', type: 'bigint' })
  rowsWritten!: string;

  @Column({ name: 'bytes_read', type: 'bigint' })
  bytesRead!: string;

  @Column({ name: 'bytes_written', type: 'bigint' })
  bytesWritten!: string;

  @Column({ type: 'bigint' })
  inserts!: string;

  @Column({ type: 'bigint' })
  updates!: string;

  @Column({ type: 'bigint' })
  deletes!: string;

  @Column({ name: 'confirmed_lsn', type: 'varchar', length: 32, nullable: true })
  confirmedLsn!: string | null;

  @Column({ name: 'retained_wal_bytes', type: 'bigint', nullable: true })
  retainedWalBytes!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}
