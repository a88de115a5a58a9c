import { Module } from '@nestjs/common';
import { FleetModule } from '../fleet/fleet.module';
import { PrecheckModule } from '../precheck/precheck.module';
import { TaskCommand } from './task-command';
import { TaskConnectionRefs } from './task-connection-refs';
import { TaskEditService } from './task-edit.service';
import { TaskOperationsController } from './task-operations.controller';
import { TaskOperationsService } from './task-operations.service';
import { TaskController } from './task.controller';
import { TaskService } from './task.service';

@Module({
  imports: [PrecheckModule, FleetModule],
  controllers: [TaskController, TaskOperationsController],
  providers: [TaskCommand, TaskService, TaskEditService, TaskOperationsService, TaskConnectionRefs],
  // Saved connections apply their edits to the tasks that use them.
  exports: [TaskEditService],
})
export class TaskModule {}
