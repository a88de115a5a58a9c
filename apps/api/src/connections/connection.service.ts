import { Injectable } from '@nestjs/common';
import type { ConnectionTarget, ConnectionTestInput, ConnectionTestResult } from '@walbridge/contracts';
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

  testTask(taskId: string, target: ConnectionTarget): Promise<ConnectionTestResult> {
    return probeLiveTask<ConnectionTestResult, ProbeJob.TestTaskConnection>(this.tasks, this.probes, ProbeJob.TestTaskConnection, { taskId, target });
  }
}
