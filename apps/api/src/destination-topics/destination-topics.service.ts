import { Injectable } from '@nestjs/common';
import type { DestinationTopicsView } from '@walbridge/contracts';
import { TaskRepository } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { assertReached, probeLiveTask, type ProbeFailure } from '../probe/live-task-probe';
import { ProbeClient } from '../probe/probe-client.service';

type Outcome = { ok: true; view: DestinationTopicsView } | { ok: false; failure: ProbeFailure };

/** The topic pick lists: the topics of a task's cluster, read by a scheduler (the API never reaches Kafka). */
@Injectable()
export class DestinationTopicsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly probes: ProbeClient,
  ) {}

  async list(taskId: string): Promise<DestinationTopicsView> {
    const outcome = await probeLiveTask<Outcome, ProbeJob.ListTopics>(this.tasks, this.probes, ProbeJob.ListTopics, { taskId });
    assertReached(outcome, 'DESTINATION_UNAVAILABLE');
    return outcome.view;
  }
}
