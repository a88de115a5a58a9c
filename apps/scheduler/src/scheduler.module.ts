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
import { ExitOutcomes } from './supervisor/exit-outcome.service';
import { FailureHandling } from './supervisor/failure-handling.service';
import { ObjectEdits } from './supervisor/object-edit.service';
import { Reconciler } from './supervisor/reconcile.service';
import { RestartSchedule } from './supervisor/restart-schedule';
import { SupervisedWorkers } from './supervisor/supervised-workers';
import { TaskHandover } from './supervisor/task-handover.service';
import { TaskOwnership } from './supervisor/task-ownership.service';
import { TaskSerializer } from './supervisor/task-serializer';
import { WorkerLauncher } from './supervisor/worker-launcher.service';
import { WorkerProcessPort } from './supervisor/worker-process.port';
import { WorkerProcessRepository } from './supervisor/worker-process.repository';
import { WorkerReports } from './supervisor/worker-reports.service';
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
    // The supervisor and its effects (decisions: libs/domain supervision).
    { provide: WorkerProcessPort, useClass: WorkerProcessRepository },
    TaskSerializer,
    SupervisedWorkers,
    RestartSchedule,
    TaskOwnership,
    WorkerLauncher,
    ExitOutcomes,
    FailureHandling,
    ObjectEdits,
    WorkerReports,
    WorkerSupervisor,
    TaskHandover,
    Reconciler,
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
