import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { DestinationTopicsView } from '@walbridge/contracts';
import { DestinationTopicsService } from './destination-topics.service';

@ApiTags('tasks')
@Controller('tasks/:id/destination-topics')
export class DestinationTopicsController {
  constructor(private readonly topics: DestinationTopicsService) {}

  /** Read only, like the object picker: names and partition counts, no messages. */
  @Get()
  list(@Param('id', ParseUUIDPipe) id: string): Promise<DestinationTopicsView> {
    return this.topics.list(id);
  }
}
