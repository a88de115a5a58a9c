import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { PrecheckItemState } from '@walbridge/contracts';
import type { PrecheckRunEntity } from './precheck-run.entity';

@Entity({ name: 'precheck_item' })
@Index('precheck_item_run_idx', ['runId', 'position'], { unique: true })
export class PrecheckItemEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'run_id', type: 'uuid' })
  runId!: string;

  @ManyToOne('PrecheckRunEntity', 'items', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'FK_precheck_item_run' })
  run?: PrecheckRunEntity;

  @Column({ type: 'smallint' })
  position!: number;

  /** The item's key in the domain catalogue (name and description come from there). */
  @Column({ type: 'varchar', length: 48 })
  key!: string;

  @Column({ type: 'varchar', length: 8 })
  result!: PrecheckItemState;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text', nullable: true })
  suggestion!: string | null;

  @Column({ name: 'affected_objects', type: 'jsonb', default: () => "'[]'" })
  affectedObjects!: string[];

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @Column({ name: 'confirmed_by', type: 'varchar', length: 128, nullable: true })
  confirmedBy!: string | null;
}
