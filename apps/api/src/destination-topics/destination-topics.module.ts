import { Module } from '@nestjs/common';
import { ProbeModule } from '../probe/probe.module';
import { DestinationTopicsController } from './destination-topics.controller';
import { DestinationTopicsService } from './destination-topics.service';

@Module({ imports: [ProbeModule], controllers: [DestinationTopicsController], providers: [DestinationTopicsService] })
export class DestinationTopicsModule {}
