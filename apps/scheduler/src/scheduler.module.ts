import { Module } from '@nestjs/common';
import { AppConfigModule, DatabaseModule, QueueRootModule } from '@walbridge/nest-common';
import { TaskControlProcessor } from './control/task-control.processor';
import { TaskLeaseService } from './lease/task-lease.service';
import { PrecheckRunner } from './precheck/precheck-runner.service';
import { ConnectionProbeService } from './probe/connection-probe.service';
import { ProbeProcessor } from './probe/probe.processor';
import { WorkerSupervisor } from './supervisor/worker-supervisor.service';

@Module({
  imports: [AppConfigModule, DatabaseModule, QueueRootModule],
  providers: [TaskLeaseService, WorkerSupervisor, TaskControlProcessor, ConnectionProbeService, PrecheckRunner, ProbeProcessor],
})
export class SchedulerModule {}
