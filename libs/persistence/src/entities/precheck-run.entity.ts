import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn } from 'typeorm';
import { PrecheckItemEntity } from './precheck-item.entity';
import type { PrecheckResult, PrecheckRunStatus } from '@walbridge/contracts';
import { TaskEntity } from './task.entity';

/** One precheck of a task: the latest run decides whether the task may be submitted. */
@Entity({ name: 'precheck_run' })
@Index('precheck_run_task_idx', ['taskId', 'createdAt'])
export class PrecheckRunEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_precheck_run_task' })
  task?: TaskEntity;

  @Column({ type: 'varchar', length: 16 })
  status!: PrecheckRunStatus;

  /** PASSED, ALARM or FAILED once finished. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  result!: PrecheckResult | null;

  /** Fingerprint of the configuration the run checked (see taskConfigFingerprint). */
  @Column({ name: 'config_hash', type: 'varchar', length: 64, nullable: true })
  configHash!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  options!: { longTransactionSeconds?: number };

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @OneToMany(() => PrecheckItemEntity, (item) => item.run)
  items?: PrecheckItemEntity[];
}
