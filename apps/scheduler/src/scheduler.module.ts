import { BackfillCoordinator } from './snapshot/backfill-coordinator.service';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AppConfigModule, DatabaseModule, QueueRootModule } from '@walbridge/nest-common';
import { QueueName } from '@walbridge/queue';
import { TaskControlProcessor } from './control/task-control.processor';
import { FleetCoordinator } from './fleet/fleet-coordinator.service';
import { FleetRegistry } from './fleet/fleet-registry.service';
import { HousekeepingProcessor } from './housekeeping/housekeeping.processor';
import { TaskLeaseService } from './lease/task-lease.service';
import { PrecheckRunner } from './precheck/precheck-runner.service';
import { ConnectionProbeService } from './probe/connection-probe.service';
import { ProbeProcessor } from './probe/probe.processor';
import { TaskMonitor } from './monitoring/task-monitor.service';
import { ChannelSender } from './notifications/channel-sender.service';
import { NotificationDeliveryProcessor } from './notifications/notification-delivery.processor';
import { NotificationService } from './notifications/notification.service';
import { WorkerSupervisor } from './supervisor/worker-supervisor.service';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule,
    QueueRootModule,
    BullModule.registerQueue({ name: QueueName.Housekeeping }, { name: QueueName.Notifications }),
  ],
  providers: [
    TaskLeaseService,
    FleetRegistry,
    FleetCoordinator,
    WorkerSupervisor,
    TaskControlProcessor,
    HousekeepingProcessor,
    ConnectionProbeService,
    PrecheckRunner,
    ProbeProcessor,
    TaskMonitor,
    NotificationService,
    ChannelSender,
    NotificationDeliveryProcessor,
    BackfillCoordinator,
  ],
})
export class SchedulerModule {}
