import { Injectable } from '@nestjs/common';
import type { SourceObjectsView } from '@walbridge/contracts';
import { TaskRepository } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { assertReached, probeLiveTask, type ProbeFailure } from '../probe/live-task-probe';
import { ProbeClient } from '../probe/probe-client.service';

type Outcome = { ok: true; objects: SourceObjectsView } | { ok: false; failure: ProbeFailure };

/** The object picker's tree, read by the scheduler from the task's source. */
@Injectable()
export class SourceObjectsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly probes: ProbeClient,
  ) {}

  async list(taskId: string): Promise<SourceObjectsView> {
    const outcome = await probeLiveTask<Outcome, ProbeJob.ListSourceObjects>(this.tasks, this.probes, ProbeJob.ListSourceObjects, { taskId });
    assertReached(outcome, 'SOURCE_UNAVAILABLE');
    return outcome.objects;
  }
}
