import { Module } from '@nestjs/common';
import { ProbeModule } from '../probe/probe.module';
import { PrecheckController } from './precheck.controller';
import { PrecheckService } from './precheck.service';

@Module({ imports: [ProbeModule], controllers: [PrecheckController], providers: [PrecheckService], exports: [PrecheckService] })
export class PrecheckModule {}
