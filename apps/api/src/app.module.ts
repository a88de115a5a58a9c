import { Module } from '@nestjs/common';
import { AppConfigModule, DatabaseModule, QueueRootModule } from '@walbridge/nest-common';
import { HealthController } from './health/health.controller';
import { TaskModule } from './tasks/task.module';

@Module({
  imports: [AppConfigModule, DatabaseModule, QueueRootModule, TaskModule],
  controllers: [HealthController],
})
export class AppModule {}
