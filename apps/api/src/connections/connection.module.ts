import { Module } from '@nestjs/common';
import { ProbeModule } from '../probe/probe.module';
import { TaskModule } from '../tasks/task.module';
import { ConnectionController } from './connection.controller';
import { ConnectionService } from './connection.service';
import { SavedConnectionController } from './saved-connection.controller';
import { SavedConnectionService } from './saved-connection.service';

@Module({
  imports: [ProbeModule, TaskModule],
  // ConnectionController first: its POST /connections/test must not be read as /connections/:id.
  controllers: [ConnectionController, SavedConnectionController],
  providers: [ConnectionService, SavedConnectionService],
})
export class ConnectionModule {}
