import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ChannelType, DeliveryAttemptView, DeliveryStatus } from '@walbridge/contracts';
import { NotificationEntity } from './notification.entity';

/**
 * One notification sent to one channel, with the log of every attempt. The channel's name and
 * type are copied: the log stays readable after the channel is deleted.
 */
@Entity({ name: 'notification_delivery' })
@Index('notification_delivery_notification_idx', ['notificationId'])
export class NotificationDeliveryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'notification_id', type: 'uuid' })
  notificationId!: string;

  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'FK_notification_delivery_notification' })
  notification?: NotificationEntity;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  @Column({ name: 'channel_name', type: 'varchar', length: 64 })
  channelName!: string;

  @Column({ name: 'channel_type', type: 'varchar', length: 16 })
  channelType!: ChannelType;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: 'jsonb' })
  log!: DeliveryAttemptView[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
