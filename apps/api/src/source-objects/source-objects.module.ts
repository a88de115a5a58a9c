import { Module } from '@nestjs/common';
import { ProbeModule } from '../probe/probe.module';
import { SourceObjectsController } from './source-objects.controller';
import { SourceObjectsService } from './source-objects.service';

@Module({ imports: [ProbeModule], controllers: [SourceObjectsController], providers: [SourceObjectsService] })
export class SourceObjectsModule {}
