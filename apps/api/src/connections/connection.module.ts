import { Module } from '@nestjs/common';
import { ProbeModule } from '../probe/probe.module';
import { ConnectionController } from './connection.controller';
import { ConnectionService } from './connection.service';

@Module({ imports: [ProbeModule], controllers: [ConnectionController], providers: [ConnectionService] })
export class ConnectionModule {}
