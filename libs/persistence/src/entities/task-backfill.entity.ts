import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn } from 'typeorm';
import type { BackfillKind, BackfillStatus } from '@walbridge/contracts';
import { TaskBackfillTableEntity } from './task-backfill-table.entity';
import { TaskEntity } from './task.entity';

/**
 * A reading of existing rows: the full synchronization of a full+incremental task (initial) or
 * a backfill asked through the API (manual). The worker does the reading; what it reports after
 * each acknowledged chunk is stored per table, so a new worker resumes at the next chunk.
 */
@Entity({ name: 'task_backfill' })
@Index('task_backfill_task_idx', ['taskId', 'createdAt'])
export class TaskBackfillEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_task_backfill_task' })
  task?: TaskEntity;

  @Column({ type: 'varchar', length: 16 })
  kind!: BackfillKind;

  @Column({ type: 'varchar', length: 16 })
  status!: BackfillStatus;

  /** Every table the task captures (the full synchronization of a database-level task learns them from the worker). */
  @Column({ name: 'all_tables', type: 'boolean', default: false })
  allTables!: boolean;

  @Column({ name: 'requested_by', type: 'varchar', length: 128, nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @OneToMany(() => TaskBackfillTableEntity, (t) => t.backfill)
  tables?: TaskBackfillTableEntity[];
}
