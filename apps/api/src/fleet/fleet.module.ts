import { Module } from '@nestjs/common';
import { FleetRegistryRepository } from './fleet-registry.repository';
import { FleetService } from './fleet.service';
import { SchedulerController } from './scheduler.controller';

@Module({
  controllers: [SchedulerController],
  providers: [FleetRegistryRepository, FleetService],
  exports: [FleetService],
})
export class FleetModule {}
