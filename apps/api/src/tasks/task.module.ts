import { Module } from '@nestjs/common';
import { PrecheckModule } from '../precheck/precheck.module';
import { TaskEditService } from './task-edit.service';
import { TaskController } from './task.controller';
import { TaskService } from './task.service';

@Module({ imports: [PrecheckModule], controllers: [TaskController], providers: [TaskService, TaskEditService] })
export class TaskModule {}
