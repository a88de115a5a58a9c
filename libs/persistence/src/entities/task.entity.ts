import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TaskStatus } from '@walbridge/contracts';

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

  /** The stop flavour asked for while STOPPING, so whichever scheduler owns the worker honours it. */
  @Column({ name: 'requested_operation', type: 'varchar', length: 16, nullable: true })
  requestedOperation!: 'stop' | 'forceStop' | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
