import { Injectable } from '@nestjs/common';
import type { ConnectionProblem, MessageBrowseView, MessageQuery } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { TaskRepository } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { loadLiveTask } from '../common/live-task';
import { ProbeClient } from '../probe/probe-client.service';

type Outcome = { ok: true; view: MessageBrowseView } | { ok: false; failure: { problem: ConnectionProblem; message: string; suggestion: string } };

/** The latest messages of a task's topics, read by a scheduler (the API never reaches Kafka). */
@Injectable()
export class MessageBrowserService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly probes: ProbeClient,
  ) {}

  async browse(taskId: string, query: MessageQuery): Promise<MessageBrowseView> {
    await loadLiveTask(this.tasks, taskId);
    const outcome = await this.probes.request<Outcome | null, ProbeJob.BrowseMessages>(ProbeJob.BrowseMessages, { taskId, query });
    if (!outcome) await loadLiveTask(this.tasks, taskId);
    if (!outcome!.ok) {
      const { failure } = outcome as Extract<Outcome, { ok: false }>;
      throw new DomainError('upstream', 'DESTINATION_UNAVAILABLE', failure.message, [], { problem: failure.problem, suggestion: failure.suggestion });
    }
    return outcome!.view;
  }
}
