import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from '@walbridge/queue';
import { ChannelDeliveries } from './channel-delivery.service';
import { NotificationChannelController } from './notification-channel.controller';
import { NotificationChannelService } from './notification-channel.service';
import { NotificationQueueClient } from './notification-queue.client';
import { NotificationController } from './notification.controller';
import { NotificationService } from './notification.service';

@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Notifications })],
  controllers: [NotificationChannelController, NotificationController],
  providers: [NotificationChannelService, ChannelDeliveries, NotificationService, NotificationQueueClient],
})
export class NotificationModule {}
