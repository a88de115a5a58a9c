import { Injectable } from '@nestjs/common';
import type { ConnectionTarget, ConnectionTestInput, ConnectionTestResult } from '@walbridge/contracts';
import { SecretsService, TaskRepository } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { loadLiveTask } from '../common/live-task';
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

  async testTask(taskId: string, target: ConnectionTarget): Promise<ConnectionTestResult> {
    await loadLiveTask(this.tasks, taskId);
    const result = await this.probes.request<ConnectionTestResult | null, ProbeJob.TestTaskConnection>(ProbeJob.TestTaskConnection, { taskId, target });
    // Deleted between our check and the scheduler's read.
    if (!result) await loadLiveTask(this.tasks, taskId);
    return result!;
  }
}
