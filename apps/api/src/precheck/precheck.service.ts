import { Injectable } from '@nestjs/common';
import type { PrecheckRunView, StartPrecheckInput } from '@walbridge/contracts';
import { DomainError, PRECHECK_ITEM_KEYS, assertAllowed } from '@walbridge/domain';
import { PrecheckRepository, TaskLogRepository, TaskRepository, taskConfigFingerprint, type TaskEntity } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { currentActor } from '../auth/request-context';
import { loadLiveTask } from '../common/live-task';
import { ProbeClient } from '../probe/probe-client.service';
import { toPrecheckRunView } from './precheck.mapper';

/**
 * PRODUCT.md §3. A run is created here with every item pending and executed by the scheduler
 * (the API never reaches the source or Kafka); the latest run is the gate of `submit`.
 */
@Injectable()
export class PrecheckService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly prechecks: PrecheckRepository,
    private readonly logs: TaskLogRepository,
    private readonly probes: ProbeClient,
  ) {}

  async start(taskId: string, options: StartPrecheckInput, requestedBy = currentActor()): Promise<PrecheckRunView> {
    const task = await loadLiveTask(this.tasks, taskId);
    assertAllowed('precheck', task.status);
    const previous = await this.prechecks.latestRun(taskId);
    if (previous?.status === 'RUNNING') {
      await this.prechecks.finishRun(previous.id, { status: 'ERROR', result: null, configHash: null, error: 'superseded by a newer run' });
    }
    const run = await this.prechecks.createRun(taskId, PRECHECK_ITEM_KEYS, options);
    // A reset asked for a fresh precheck: this run is it, and its result now gates submit.
    if (task.precheckRequired) await this.tasks.update(taskId, { precheckRequired: false });
    await this.probes.enqueue(ProbeJob.RunPrecheck, { taskId, runId: run.id }, `precheck-${run.id}`);
    await this.logs.append(taskId, 'info', `precheck started by ${requestedBy}`);
    return toPrecheckRunView(run, taskConfigFingerprint(task));
  }

  async latest(taskId: string): Promise<PrecheckRunView> {
    const task = await loadLiveTask(this.tasks, taskId);
    const run = await this.prechecks.latestRun(taskId);
    if (!run) throw new DomainError('not-found', 'PRECHECK_NOT_FOUND', `task ${taskId} has no precheck yet: POST /api/v1/tasks/${taskId}/precheck`);
    return toPrecheckRunView(run, taskConfigFingerprint(task));
  }

  async confirm(taskId: string, itemId: string, confirmedBy = currentActor()): Promise<PrecheckRunView> {
    const task = await loadLiveTask(this.tasks, taskId);
    const run = await this.prechecks.latestRun(taskId);
    const item = run?.items?.find((i) => i.id === itemId);
    if (!run || !item) throw new DomainError('not-found', 'PRECHECK_ITEM_NOT_FOUND', `item ${itemId} is not part of the latest precheck of task ${taskId}`);
    if (run.status !== 'FINISHED') throw new DomainError('conflict', 'PRECHECK_NOT_FINISHED', 'the precheck has not finished; confirm its alarms once it has');
    if (item.result !== 'ALARM') throw new DomainError('conflict', 'NOT_AN_ALARM', `only ALARM items are confirmed; this item is ${item.result}`);
    if (!item.confirmedAt && (await this.prechecks.confirmItem(run.id, itemId, confirmedBy))) {
      await this.logs.append(taskId, 'info', `precheck alarm confirmed by ${confirmedBy}: ${item.key}`);
    }
    return toPrecheckRunView((await this.prechecks.findRun(run.id))!, taskConfigFingerprint(task));
  }

  /** The submit rule: 409 with the reasons unless the latest run allows it. */
  async assertSubmittable(task: TaskEntity): Promise<void> {
    const run = await this.prechecks.latestRun(task.id);
    const view = run ? toPrecheckRunView(run, taskConfigFingerprint(task)) : null;
    const blockers = !view
      ? ['no precheck has been run: run the precheck (POST /tasks/{id}/precheck) first']
      : task.precheckRequired
        ? ['the replication slot was reset since the last precheck: run the precheck again']
        : view.blockers;
    if (!blockers.length) return;
    throw new DomainError('conflict', 'PRECHECK_REQUIRED', `the task cannot be submitted: ${blockers.join('; ')}`, [], {
      status: task.status,
      precheck: view ? { id: view.id, status: view.status, result: view.result, outdated: view.outdated, blockers } : null,
    });
  }
}
