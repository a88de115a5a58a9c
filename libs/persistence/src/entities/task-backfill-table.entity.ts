import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SnapshotTableState } from '@walbridge/contracts';
import type { TaskBackfillEntity } from './task-backfill.entity';

/** One table of a backfill and where its reading stands (written after Kafka acknowledged a chunk). */
@Entity({ name: 'task_backfill_table' })
export class TaskBackfillTableEntity {
  @PrimaryColumn({ name: 'backfill_id', type: 'uuid' })
  backfillId!: string;

  @PrimaryColumn({ name: 'schema_name', type: 'varchar', length: 63 })
  schemaName!: string;

  @PrimaryColumn({ name: 'table_name', type: 'varchar', length: 63 })
  tableName!: string;

  @ManyToOne('TaskBackfillEntity', 'tables', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'backfill_id', foreignKeyConstraintName: 'FK_task_backfill_table_backfill' })
  backfill?: TaskBackfillEntity;

  @Column({ type: 'text', nullable: true })
  filter!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: SnapshotTableState;

  /** The last key of the last acknowledged chunk (or the next ctid block), as text values; null: the start. */
  @Column({ type: 'jsonb', nullable: true })
  position!: string[] | null;

  @Column({ name: 'rows_estimated', type: 'bigint', default: 0 })
  rowsEstimated!: string;

  @Column({ name: 'rows_sent', type: 'bigint', default: 0 })
  rowsSent!: string;

  @Column({ name: 'chunks_done', type: 'integer', default: 0 })
  chunksDone!: number;

  @Column({ name: 'chunks_total', type: 'integer', default: 0 })
  chunksTotal!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
