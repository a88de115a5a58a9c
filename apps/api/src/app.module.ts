import { Module } from '@nestjs/common';
import { AppConfigModule, DatabaseModule, QueueRootModule } from '@walbridge/nest-common';
import { ConnectionModule } from './connections/connection.module';
import { HealthController } from './health/health.controller';
import { PrecheckModule } from './precheck/precheck.module';
import { SourceObjectsModule } from './source-objects/source-objects.module';
import { TaskModule } from './tasks/task.module';

@Module({
  imports: [AppConfigModule, DatabaseModule, QueueRootModule, TaskModule, PrecheckModule, ConnectionModule, SourceObjectsModule],
  controllers: [HealthController],
})
export class AppModule {}
