import { Module } from '@nestjs/common';
import { TaskOperationsController } from './task-operations.controller';
import { TaskOperationsService } from './task-operations.service';
import { TaskController } from './task.controller';
import { TaskService } from './task.service';

@Module({ controllers: [TaskController, TaskOperationsController], providers: [TaskService, TaskOperationsService] })
export class TaskModule {}
