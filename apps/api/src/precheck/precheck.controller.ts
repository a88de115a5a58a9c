import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { startPrecheckSchema, type PrecheckRunView, type StartPrecheckInput } from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { PrecheckService } from './precheck.service';

@ApiTags('precheck')
@Controller('tasks/:id/precheck')
export class PrecheckController {
  constructor(private readonly prechecks: PrecheckService) {}

  @Post()
  @HttpCode(202)
  start(@Param('id', ParseUUIDPipe) id: string, @Body(new ZodPipe(startPrecheckSchema)) body: StartPrecheckInput): Promise<PrecheckRunView> {
    return this.prechecks.start(id, body);
  }

  @Get()
  latest(@Param('id', ParseUUIDPipe) id: string): Promise<PrecheckRunView> {
    return this.prechecks.latest(id);
  }

  @Post('items/:itemId/confirm')
  @HttpCode(200)
  confirm(@Param('id', ParseUUIDPipe) id: string, @Param('itemId', ParseUUIDPipe) itemId: string): Promise<PrecheckRunView> {
    return this.prechecks.confirm(id, itemId);
  }
}
