import { Controller, Get, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { taskMetricsQuerySchema, type TaskMetricsQuery, type TaskMetricsView } from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { TaskEventsService } from './task-events.service';
import { TaskMetricsService } from './task-metrics.service';
import { DocumentQuery } from '../common/query-docs.decorator';

/** PRODUCT.md §9 monitoring routes of a task: its metrics history and its live events. */
@ApiTags('tasks')
@Controller('tasks')
export class TaskMonitoringController {
  constructor(
    private readonly metrics: TaskMetricsService,
    private readonly events: TaskEventsService,
  ) {}

  @DocumentQuery(taskMetricsQuerySchema)
  @Get(':id/metrics')
  history(@Param('id', ParseUUIDPipe) id: string, @Query(new ZodPipe(taskMetricsQuerySchema)) query: TaskMetricsQuery): Promise<TaskMetricsView> {
    return this.metrics.history(id, query);
  }

  /** Server-Sent Events: `status`, `metrics`, `log`, `notification` (see TaskEventPayloads in the contracts). */
  @Get(':id/events')
  @ApiProduces('text/event-stream')
  live(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.events.stream(id, req, res);
  }
}
