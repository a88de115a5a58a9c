import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  createSavedConnectionSchema,
  updateSavedConnectionSchema,
  type ConnectionTestResult,
  type SavedConnectionConfig,
  type SavedConnectionUpdate,
  type SavedConnectionView,
} from '@walbridge/contracts';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ZodPipe } from '../common/zod-body.pipe';
import { SavedConnectionService } from './saved-connection.service';

/** Saved connections tasks reference. Reading needs a viewer (never a secret), changing and testing an operator. */
@ApiTags('connections')
@Controller('connections')
export class SavedConnectionController {
  constructor(private readonly connections: SavedConnectionService) {}

  @Get()
  list(): Promise<SavedConnectionView[]> {
    return this.connections.list();
  }

  @Post()
  create(@Body(new ZodPipe(createSavedConnectionSchema)) body: SavedConnectionConfig): Promise<SavedConnectionView> {
    return this.connections.create(body);
  }

  @Get(':id')
  get(@Param('id', UuidParamPipe) id: string): Promise<SavedConnectionView> {
    return this.connections.get(id);
  }

  @Patch(':id')
  update(@Param('id', UuidParamPipe) id: string, @Body(new ZodPipe(updateSavedConnectionSchema)) body: Record<string, unknown>): Promise<SavedConnectionUpdate> {
    return this.connections.update(id, body);
  }

  /** 409 CONNECTION_IN_USE naming the tasks that reference it. */
  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.connections.delete(id);
  }

  /** Test Connection with the saved settings (200 either way; `ok` tells), kept as the connection's last test. */
  @Post(':id/test')
  @HttpCode(200)
  test(@Param('id', UuidParamPipe) id: string): Promise<ConnectionTestResult> {
    return this.connections.test(id);
  }
}
