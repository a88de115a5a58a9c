import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { SchedulerListView, SchedulerView } from '@walbridge/contracts';
import { Roles } from '../auth/access.decorators';
import { FleetService } from './fleet.service';

/** The schedulers of the fleet (issue 19). */
@ApiTags('operations')
@Controller('schedulers')
export class SchedulerController {
  constructor(private readonly fleet: FleetService) {}

  @Get()
  list(): Promise<SchedulerListView> {
    return this.fleet.list();
  }

  /** The scheduler stops taking tasks and hands its own over to the others, as on SIGTERM; it keeps running, drained, until stopped. */
  @Post(':id/drain')
  @Roles('admin')
  @HttpCode(202)
  drain(@Param('id') id: string): Promise<SchedulerView> {
    return this.fleet.drain(id);
  }
}
