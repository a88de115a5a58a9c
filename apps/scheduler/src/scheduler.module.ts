import { Module } from '@nestjs/common';
import { AppConfigModule, DatabaseModule, QueueRootModule } from '@walbridge/nest-common';
import { TaskControlProcessor } from './control/task-control.processor';
import { TaskLeaseService } from './lease/task-lease.service';
import { WorkerSupervisor } from './supervisor/worker-supervisor.service';

@Module({
  imports: [AppConfigModule, DatabaseModule, QueueRootModule],
  providers: [TaskLeaseService, WorkerSupervisor, TaskControlProcessor],
})
export class SchedulerModule {}
