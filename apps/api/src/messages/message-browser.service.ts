import { Injectable } from '@nestjs/common';
import type { MessageBrowseView, MessageQuery } from '@walbridge/contracts';
import { TaskRepository } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { assertReached, probeLiveTask, type ProbeFailure } from '../probe/live-task-probe';
import { ProbeClient } from '../probe/probe-client.service';

type Outcome = { ok: true; view: MessageBrowseView } | { ok: false; failure: ProbeFailure };

/** The latest messages of a task's topics, read by a scheduler (the API never reaches Kafka). */
@Injectable()
export class MessageBrowserService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly probes: ProbeClient,
  ) {}

  async browse(taskId: string, query: MessageQuery): Promise<MessageBrowseView> {
    const outcome = await probeLiveTask<Outcome, ProbeJob.BrowseMessages>(this.tasks, this.probes, ProbeJob.BrowseMessages, { taskId, query });
    assertReached(outcome, 'DESTINATION_UNAVAILABLE');
    return outcome.view;
  }
}
