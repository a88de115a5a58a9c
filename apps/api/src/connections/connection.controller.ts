import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { taskConnectionTestBodySchema, taskConnectionTestQuerySchema, type ConnectionTarget, type TaskConnectionTestBody, type ConnectionTestInput, type ConnectionTestResult } from '@walbridge/contracts';
import { ZodPipe } from '../common/zod-body.pipe';
import { ConnectionTestPipe } from './connection-test.pipe';
import { ConnectionService } from './connection.service';
import { DocumentQuery } from '../common/query-docs.decorator';

@ApiTags('connections')
@Controller()
export class ConnectionController {
  constructor(private readonly connections: ConnectionService) {}

  @Post('connections/test')
  @HttpCode(200)
  test(@Body(new ConnectionTestPipe()) body: ConnectionTestInput): Promise<ConnectionTestResult> {
    return this.connections.test(body);
  }

  @DocumentQuery(taskConnectionTestQuerySchema)
  @Post('tasks/:id/test-connection')
  @HttpCode(200)
  testTask(
    @Param('id', ParseUUIDPipe) id: string,
    @Query(new ZodPipe(taskConnectionTestQuerySchema)) query: { target: ConnectionTarget },
    // Optional: passwords typed to replace the saved ones, tested before they are saved.
    @Body(new ZodPipe(taskConnectionTestBodySchema.optional())) body: TaskConnectionTestBody | undefined,
  ): Promise<ConnectionTestResult> {
    return this.connections.testTask(id, query.target, body ?? {});
  }
}
