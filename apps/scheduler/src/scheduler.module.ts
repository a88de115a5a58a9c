import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfigModule, DatabaseModule, QueueRootModule } from '@walbridge/nest-common';
import { QueueName } from '@walbridge/queue';
import { TaskControlProcessor } from './control/task-control.processor';
import { HousekeepingProcessor } from './housekeeping/housekeeping.processor';
import { TaskLeaseService } from './lease/task-lease.service';
import { WorkerSupervisor } from './supervisor/worker-supervisor.service';

@Module({
  imports: [AppConfigModule, DatabaseModule, QueueRootModule, BullModule.registerQueue({ name: QueueName.Housekeeping })],
  providers: [TaskLeaseService, WorkerSupervisor, TaskControlProcessor, HousekeepingProcessor],
})
export class SchedulerModule {}
