import { Injectable } from '@nestjs/common';
import type { ConnectionProblem, SourceObjectsView } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { TaskRepository } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { loadLiveTask } from '../common/live-task';
import { ProbeClient } from '../probe/probe-client.service';

type Outcome = { ok: true; objects: SourceObjectsView } | { ok: false; failure: { problem: ConnectionProblem; message: string; suggestion: string } };

/** The object picker's tree, read by the scheduler from the task's source. */
@Injectable()
export class SourceObjectsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly probes: ProbeClient,
  ) {}

  async list(taskId: string): Promise<SourceObjectsView> {
    await loadLiveTask(this.tasks, taskId);
    const outcome = await this.probes.request<Outcome | null, ProbeJob.ListSourceObjects>(ProbeJob.ListSourceObjects, { taskId });
    if (!outcome) await loadLiveTask(this.tasks, taskId);
    if (!outcome!.ok) {
      const { failure } = outcome as Extract<Outcome, { ok: false }>;
      throw new DomainError('upstream', 'SOURCE_UNAVAILABLE', failure.message, [], { problem: failure.problem, suggestion: failure.suggestion });
    }
    return outcome!.objects;
  }
}
