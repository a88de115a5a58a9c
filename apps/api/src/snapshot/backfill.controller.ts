import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createBackfillSchema, type BackfillView, type CreateBackfillInput, type TaskSnapshotView } from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { BackfillService } from './backfill.service';

/** Full synchronization progress and backfills of a task (issue 13). */
@ApiTags('tasks')
@Controller('tasks')
export class BackfillController {
  constructor(private readonly backfills: BackfillService) {}

  @Get(':id/snapshot')
  snapshot(@Param('id', ParseUUIDPipe) id: string): Promise<TaskSnapshotView> {
    return this.backfills.snapshot(id);
  }

  @Post(':id/backfills')
  @HttpCode(202)
  create(@Param('id', ParseUUIDPipe) id: string, @Body(new ZodPipe(createBackfillSchema)) body: CreateBackfillInput): Promise<BackfillView> {
    return this.backfills.create(id, body);
  }

  @Get(':id/backfills')
  list(@Param('id', ParseUUIDPipe) id: string): Promise<{ items: BackfillView[] }> {
    return this.backfills.list(id);
  }

  @Get(':id/backfills/:backfillId')
  get(@Param('id', ParseUUIDPipe) id: string, @Param('backfillId', ParseUUIDPipe) backfillId: string): Promise<BackfillView> {
    return this.backfills.get(id, backfillId);
  }

  @Delete(':id/backfills/:backfillId')
  cancel(@Param('id', ParseUUIDPipe) id: string, @Param('backfillId', ParseUUIDPipe) backfillId: string): Promise<BackfillView> {
    return this.backfills.cancel(id, backfillId);
  }
}
