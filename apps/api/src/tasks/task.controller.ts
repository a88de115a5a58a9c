import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { updateTaskSchema, type Page, type TaskView } from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { listTasksQuerySchema, type ListTasksQuery } from './list-tasks.query';
import { submitTaskSchema, type SubmitTaskDto } from './submit-task.dto';
import { TaskEditService } from './task-edit.service';
import { TaskService } from './task.service';
import { DocumentQuery } from '../common/query-docs.decorator';

@ApiTags('tasks')
@Controller('tasks')
export class TaskController {
  constructor(
    private readonly tasks: TaskService,
    private readonly edits: TaskEditService,
  ) {}

  @Post()
  create(@Body(new ZodPipe(updateTaskSchema)) body: Record<string, unknown>): Promise<TaskView> {
    return this.tasks.create(body);
  }

  @DocumentQuery(listTasksQuerySchema)
  @Get()
  list(@Query(new ZodPipe(listTasksQuerySchema)) query: ListTasksQuery): Promise<Page<TaskView>> {
    return this.tasks.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<TaskView> {
    return this.tasks.get(id);
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body(new ZodPipe(updateTaskSchema)) body: Record<string, unknown>): Promise<TaskView> {
    return this.edits.update(id, body);
  }

  @Post(':id/submit')
  @HttpCode(202)
  submit(@Param('id', ParseUUIDPipe) id: string, @Body(new ZodPipe(submitTaskSchema)) body: SubmitTaskDto): Promise<TaskView> {
    return this.tasks.submit(id, body);
  }

  @Post(':id/stop')
  @HttpCode(202)
  stop(@Param('id', ParseUUIDPipe) id: string): Promise<TaskView> {
    return this.tasks.stop(id, false);
  }

  @Post(':id/force-stop')
  @HttpCode(202)
  forceStop(@Param('id', ParseUUIDPipe) id: string): Promise<TaskView> {
    return this.tasks.stop(id, true);
  }
}
