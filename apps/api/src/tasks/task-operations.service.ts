import { Injectable } from '@nestjs/common';
import type { TaskLogPage, TaskLogQueryInput, TaskOperationResult, TaskView } from '@walbridge/contracts';
import { DomainError, allowedOperations, assertAllowed, slotCleanupSql, type TaskOperation } from '@walbridge/domain';
import { HEALTHY, TaskLogRepository, TaskRepository, type TaskEntity } from '@walbridge/persistence';
import { TaskControlJob } from '@walbridge/queue';
import { currentActor } from '../auth/request-context';
import { TaskCommand } from './task-command';
import { hasLeftoverSlot } from './task-lifecycle.mapper';
import { FleetService } from '../fleet/fleet.service';
import { toTaskView } from './task.mapper';

/**
 * Pause, resume, reset, drop-slot, delete, credentials and the task log (PRODUCT.md §4). Like
 * every API path it only changes metadata and enqueues: schedulers and workers do the rest, and
 * each request is also recorded on the task so that a lost job is caught up by a reconcile loop.
 */
@Injectable()
export class TaskOperationsService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly command: TaskCommand,
    private readonly fleet: FleetService,
  ) {}

  /** The worker drains what is in flight, confirms it and exits; the slot stays. */
  async pause(id: string): Promise<TaskOperationResult<TaskView>> {
    const task = await this.loadFor('pause', id);
    await this.command.transitionOrConflict(task, 'pause', 'PAUSING');
    await this.command.enqueue(TaskControlJob.PauseTask, { taskId: id, requestedBy: currentActor() });
    await this.logs.append(id, 'info', `pause requested by ${currentActor()}`);
    return this.result(id, []);
  }

  /** Streams again from the slot's confirmed LSN; an abnormal task gets a fresh retry episode. */
  async resume(id: string): Promise<TaskOperationResult<TaskView>> {
    const task = await this.loadFor('resume', id);
    await this.command.transitionOrConflict(task, 'resume', 'STARTING', { ...HEALTHY, requestedOperation: null });
    await this.command.enqueue(TaskControlJob.StartTask, { taskId: id, requestedBy: currentActor() });
    await this.logs.append(
      id,
      'info',
      `resume requested by ${currentActor()} in ${task.status}; streaming continues from confirmed LSN ${task.confirmedLsn ?? '(the slot’s position)'}`,
    );
    return this.result(id, []);
  }

  /** Drops and recreates the slot; what was committed in between is lost, and a precheck is due. */
  async reset(id: string): Promise<TaskOperationResult<TaskView>> {
    const task = await this.loadFor('reset', id);
    await this.command.transitionOrConflict(task, 'reset', task.status, { requestedOperation: 'reset' });
    await this.command.enqueue(TaskControlJob.ResetTask, { taskId: id, requestedBy: currentActor() });
    const from = task.confirmedLsn ? `LSN ${task.confirmedLsn} (the last confirmed position)` : 'the last confirmed position';
    const lost =
      `changes committed on the source after ${from} and before replication slot ${task.slotName} is created again ` +
      'are lost: they will not be delivered to Kafka';
    await this.logs.append(id, 'warning', `reset requested by ${currentActor()}: ${lost}`);
    return this.result(id, [lost, 'the task returns to CONFIGURATION and must pass a precheck again before it is submitted']);
  }

  /** Removes the slot and publication a force stop left on the source. */
  async dropSlot(id: string): Promise<TaskOperationResult<TaskView>> {
    const task = await this.loadFor('dropSlot', id);
    if (!hasLeftoverSlot(task)) {
      throw new DomainError('conflict', 'NO_LEFTOVER_SLOT', `no replication slot of this task is known to remain on the source (${task.slotName})`, [], {
        status: task.status,
        allowedOperations: allowedOperations(task.status).filter((op) => op !== 'dropSlot'),
      });
    }
    await this.command.transitionOrConflict(task, 'dropSlot', task.status, { requestedOperation: 'dropSlot' });
    await this.command.enqueue(TaskControlJob.DropSlot, { taskId: id, requestedBy: currentActor() });
    await this.logs.append(id, 'info', `drop of replication slot ${task.slotName} and publication ${task.publicationName} requested by ${currentActor()}`);
    return this.result(id, []);
  }

  /** DELETED and credentials wiped; the task is no longer listed nor readable. */
  async delete(id: string): Promise<TaskOperationResult<TaskView>> {
    const task = await this.loadFor('delete', id);
    await this.command.transitionOrConflict(task, 'delete', 'DELETED', { secrets: null, scheduledStartAt: null });
    await this.logs.append(id, 'info', `task deleted by ${currentActor()}; credentials wiped`);
    const warnings =
      task.slotExists === true
        ? [`replication slot ${task.slotName} remains on the source and retains WAL: drop it with ${slotCleanupSql(task.slotName, task.publicationName)}`]
        : [];
    const deleted = await this.tasks.findById(id);
    return { ...toTaskView(deleted!, null), warnings }; // a deleted task runs nowhere
  }

  async logsOf(id: string, query: TaskLogQueryInput): Promise<TaskLogPage> {
    await this.command.load(id);
    const page = await this.logs.list({ taskId: id, levels: query.level, cursor: query.cursor, limit: query.limit });
    return {
      items: page.items.map((entry) => ({ id: entry.id, time: entry.createdAt.toISOString(), level: entry.level, message: entry.message })),
      nextCursor: page.nextCursor,
    };
  }

  private async result(id: string, warnings: string[]): Promise<TaskOperationResult<TaskView>> {
    const [task, schedulerOf] = await Promise.all([this.command.load(id), this.fleet.placements()]);
    return { ...toTaskView(task, schedulerOf(id)), warnings };
  }

  /** Loads the task and refuses the operation in the wrong status or while a reset / drop-slot runs. */
  private async loadFor(operation: TaskOperation, id: string): Promise<TaskEntity> {
    const task = await this.command.load(id);
    assertAllowed(operation, task.status);
    if (task.requestedOperation === 'reset' || task.requestedOperation === 'dropSlot') {
      throw new DomainError(
        'conflict',
        'OPERATION_IN_PROGRESS',
        `a ${task.requestedOperation === 'reset' ? 'reset' : 'drop-slot'} of this task is in progress; try again when it has finished`,
        [],
        { status: task.status, allowedOperations: ['stop', 'forceStop'].filter((op) => allowedOperations(task.status).includes(op as TaskOperation)) },
      );
    }
    return task;
  }
}
