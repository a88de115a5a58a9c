import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { redisConnection, type AppConfig } from '@walbridge/config';
import { QueueName } from '@walbridge/queue';
import { APP_CONFIG } from './app-config.module';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisConnection(config),
        prefix: config.WALBRIDGE_QUEUE_PREFIX,
      }),
    }),
    BullModule.registerQueue({ name: QueueName.TaskControl }, { name: QueueName.Probe }),
  ],
  exports: [BullModule],
})
export class QueueRootModule {}
