import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SourceObjectsView } from '@walbridge/contracts';
import { SourceObjectsService } from './source-objects.service';

@ApiTags('tasks')
@Controller('tasks/:id/source-objects')
export class SourceObjectsController {
  constructor(private readonly objects: SourceObjectsService) {}

  @Get()
  list(@Param('id', ParseUUIDPipe) id: string): Promise<SourceObjectsView> {
    return this.objects.list(id);
  }
}
