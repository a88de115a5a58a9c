import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { FleetModule } from '../fleet/fleet.module';
import { PrometheusController } from './prometheus.controller';
import { PrometheusService } from './prometheus.service';
import { TaskEventBus } from './task-event-bus.service';
import { TaskEventsService } from './task-events.service';
import { TaskMetricsService } from './task-metrics.service';
import { TaskMonitoringController } from './task-monitoring.controller';

@Module({
  imports: [AuthModule, FleetModule],
  controllers: [TaskMonitoringController, PrometheusController],
  providers: [TaskEventBus, TaskEventsService, TaskMetricsService, PrometheusService],
})
export class MonitoringModule {}
