import { Column, CreateDateColumn, Entity, Index, ManyToOne, JoinColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { TaskLogLevel } from '@walbridge/contracts';
import { TaskEntity } from './task.entity';

@Entity({ name: 'task_log' })
@Index('task_log_task_idx', ['taskId', 'id'])
export class TaskLogEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'FK_task_log_task' })
  task?: TaskEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 8 })
  level!: TaskLogLevel;

  @Column({ type: 'text' })
  message!: string;
}
