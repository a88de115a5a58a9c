import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ConnectionTarget, SavedConnectionTest } from '@walbridge/contracts';

/** What `secrets` holds once opened (the same names as a task's, so they copy across as they are). */
export interface SavedConnectionSecrets {
  password?: string;
  clientKey?: string;
  registryPassword?: string;
}

/**
 * A named source or destination tasks reference (`source.connectionId`). `config` holds the
 * settings without credentials; these are sealed in `secrets`, bound to the connection's id and
 * endpoint like a task's (`SecretsService.sealConnection`).
 */
@Entity({ name: 'saved_connection' })
@Index('saved_connection_name_key', ['name'], { unique: true })
export class SavedConnectionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: ConnectionTarget;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'jsonb' })
  config!: Record<string, unknown>;

  @Column({ type: 'bytea', nullable: true })
  secrets!: Buffer | null;

  @Column({ name: 'last_test', type: 'jsonb', nullable: true })
  lastTest!: SavedConnectionTest | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
