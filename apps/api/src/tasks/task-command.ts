import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DomainError, assertAllowed, type TaskOperation } from '@walbridge/domain';
import { TaskRepository, type TaskEntity, type TaskRuntimePatch } from '@walbridge/persistence';
import { QueueName, withProtocol, type TaskControlJob, type TaskControlPayloads } from '@walbridge/queue';
import { loadLiveTask } from '../common/live-task';

/** Control jobs are retried a while (a scheduler may be restarting); the reconcile loop catches up after that. */
const CONTROL_JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 } as const;

/**
 * The steps every task command of the API takes (PRODUCT.md §4): load the live task, move it
 * atomically from the status it was read in (a concurrent change is a 409, or the operation
 * table's 409 when the task is now in a status that refuses it), and enqueue the control job a
 * scheduler acts on.
 */
@Injectable()
export class TaskCommand {
  constructor(
    private readonly tasks: TaskRepository,
    @InjectQueue(QueueName.TaskControl) private readonly controlQueue: Queue,
  ) {}

  load(id: string): Promise<TaskEntity> {
    return loadLiveTask(this.tasks, id);
  }

  /** With `requireUnchangedConfig`, an edit since the task was read is a conflict too (submit starts only what the precheck vouched for). */
  async transitionOrConflict(task: TaskEntity, operation: TaskOperation, to: TaskEntity['status'], patch: TaskRuntimePatch = {}, requireUnchangedConfig = false): Promise<void> {
    const moved = await this.tasks.transition(task.id, [task.status], to, patch, requireUnchangedConfig ? task : undefined);
    if (!moved) {
      const fresh = await this.load(task.id);
      assertAllowed(operation, fresh.status);
      throw new DomainError('conflict', 'CONCURRENT_CHANGE', 'the task changed while the operation was requested; try again');
    }
  }

  async enqueue<J extends TaskControlJob>(job: J, payload: TaskControlPayloads[J], delay = 0): Promise<void> {
    await this.controlQueue.add(job, withProtocol(payload), { ...CONTROL_JOB_OPTIONS, ...(delay > 0 ? { delay } : {}) });
  }
}
