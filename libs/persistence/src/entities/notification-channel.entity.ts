import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ChannelType, NotificationKindName, NotificationSeverityName } from '@walbridge/contracts';

/** A channel's settings without its secrets. */
export interface StoredChannelConfig {
  url?: string;
  to?: string[];
  smtp?: { host: string; port: number; security: 'starttls' | 'tls' | 'none'; username?: string; from: string; verifyCertificate: boolean };
  /** The kinds it is sent (absent or null: every kind; channels made before the choice existed have none). */
  kinds?: NotificationKindName[] | null;
  /** The lowest severity it is sent (absent: info, i.e. everything). */
  minSeverity?: NotificationSeverityName;
}

/** What `secrets` holds once opened: the webhook signing secret or the SMTP password. */
export interface ChannelSecrets {
  secret?: string;
  smtpPassword?: string;
}

/**
 * Where notifications go besides the inbox: a webhook or an e-mail address list with its SMTP
 * server. `config` holds everything but the secrets (webhook signing secret, SMTP password), which
 * are sealed with the master key in `secrets` (AES-256-GCM, bound to the channel id).
 */
@Entity({ name: 'notification_channel' })
@Index('notification_channel_name_key', ['name'], { unique: true })
export class NotificationChannelEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: ChannelType;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ type: 'jsonb' })
  config!: StoredChannelConfig;

  @Column({ type: 'bytea', nullable: true })
  secrets!: Buffer | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
