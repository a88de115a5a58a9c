import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createTaskSchema, type Page, type TaskConfig, type TaskView } from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { listTasksQuerySchema, type ListTasksQuery } from './list-tasks.query';
import { submitTaskSchema, type SubmitTaskDto } from './submit-task.dto';
import { TaskService } from './task.service';

@ApiTags('tasks')
@Controller('tasks')
export class TaskController {
  constructor(private readonly tasks: TaskService) {}

  @Post()
  create(@Body(new ZodPipe(createTaskSchema)) body: TaskConfig): Promise<TaskView> {
    return this.tasks.create(body);
  }

  @Get()
  list(@Query(new ZodPipe(listTasksQuerySchema)) query: ListTasksQuery): Promise<Page<TaskView>> {
    return this.tasks.list(query);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<TaskView> {
    return this.tasks.get(id);
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
