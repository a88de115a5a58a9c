import { Injectable } from '@nestjs/common';
import type { ConnectionTarget, ConnectionTestInput, ConnectionTestResult, TaskConnectionTestBody } from '@walbridge/contracts';
import { SecretsService, TaskRepository } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { probeLiveTask } from '../probe/live-task-probe';
import { ProbeClient } from '../probe/probe-client.service';

/** Test Connection: the scheduler connects, the API waits (at most 10 s) for its verdict. */
@Injectable()
export class ConnectionService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly secrets: SecretsService,
    private readonly probes: ProbeClient,
  ) {}

  test(input: ConnectionTestInput): Promise<ConnectionTestResult> {
    return this.probes.request<ConnectionTestResult, ProbeJob.TestConnection>(ProbeJob.TestConnection, { target: input.type, ...this.secrets.sealTransit(input.connection) });
  }

  /** `typed`: passwords replacing the saved ones for this test only; they travel sealed, like a new connection's. */
  testTask(taskId: string, target: ConnectionTarget, typed: TaskConnectionTestBody = {}): Promise<ConnectionTestResult> {
    const given = !!(typed.source?.password || typed.destination?.password || typed.destination?.schemaRegistry?.password);
    return probeLiveTask<ConnectionTestResult, ProbeJob.TestTaskConnection>(this.tasks, this.probes, ProbeJob.TestTaskConnection, {
      taskId,
      target,
      ...(given ? this.secrets.sealTransit(typed) : {}),
    });
  }
}
