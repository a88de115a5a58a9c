import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  taskLogQuerySchema,
  type TaskLogPage,
  type TaskLogQueryInput,
  type TaskOperationResult,
  type TaskView,
} from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { TaskOperationsService } from './task-operations.service';
import { DocumentQuery } from '../common/query-docs.decorator';

/** Lifecycle operations beyond submit and stop (PRODUCT.md §4 and §9), and the task log. */
@ApiTags('tasks')
@Controller('tasks')
export class TaskOperationsController {
  constructor(private readonly operations: TaskOperationsService) {}

  @Post(':id/pause')
  @HttpCode(202)
  pause(@Param('id', ParseUUIDPipe) id: string): Promise<TaskOperationResult<TaskView>> {
    return this.operations.pause(id);
  }

  @Post(':id/resume')
  @HttpCode(202)
  resume(@Param('id', ParseUUIDPipe) id: string): Promise<TaskOperationResult<TaskView>> {
    return this.operations.resume(id);
  }

  @Post(':id/reset')
  @HttpCode(202)
  reset(@Param('id', ParseUUIDPipe) id: string): Promise<TaskOperationResult<TaskView>> {
    return this.operations.reset(id);
  }

  @Post(':id/drop-slot')
  @HttpCode(202)
  dropSlot(@Param('id', ParseUUIDPipe) id: string): Promise<TaskOperationResult<TaskView>> {
    return this.operations.dropSlot(id);
  }

  @Delete(':id')
  delete(@Param('id', ParseUUIDPipe) id: string): Promise<TaskOperationResult<TaskView>> {
    return this.operations.delete(id);
  }

  @DocumentQuery(taskLogQuerySchema)
  @Get(':id/logs')
  logs(@Param('id', ParseUUIDPipe) id: string, @Query(new ZodPipe(taskLogQuerySchema)) query: TaskLogQueryInput): Promise<TaskLogPage> {
    return this.operations.logsOf(id, query);
  }
}
