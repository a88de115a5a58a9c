import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Page, TaskConfig, TaskView } from '@walbridge/contracts';
import { NEVER_STARTED_STATUSES, assertAllowed, defaultSlotName, type TaskOperation } from '@walbridge/domain';
import { NotificationChannelRepository, SecretsService, TaskLogRepository, TaskRepository, type TaskEntity } from '@walbridge/persistence';
import { TaskControlJob } from '@walbridge/queue';
import { FleetService } from '../fleet/fleet.service';
import { PrecheckService } from '../precheck/precheck.service';
import { currentActor } from '../auth/request-context';
import type { ListTasksQuery } from './list-tasks.query';
import type { SubmitTaskDto } from './submit-task.dto';
import { TaskCommand } from './task-command';
import { TaskConnectionRefs } from './task-connection-refs';
import { assertChannelsExist, parseTaskConfig } from './task-config.validation';
import { splitSecrets, toTaskView } from './task.mapper';

@Injectable()
export class TaskService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly secrets: SecretsService,
    private readonly command: TaskCommand,
    private readonly prechecks: PrecheckService,
    private readonly channels: NotificationChannelRepository,
    private readonly fleet: FleetService,
    private readonly refs: TaskConnectionRefs,
  ) {}

  /** `body`: a task as POST /tasks takes it; `source.connectionId` / `destination.connectionId` bring a saved connection's settings. */
  async create(body: unknown): Promise<TaskView> {
    const config: TaskConfig = parseTaskConfig(await this.refs.resolveBody(body));
    await assertChannelsExist(this.channels, config);
    const id = randomUUID();
    const slotName = config.policy.slotName ?? defaultSlotName(id);
    const { stored, secrets } = splitSecrets(config);
    const task = await this.tasks.insert({
      id,
      name: config.name,
      status: 'CONFIGURATION',
      config: stored as unknown as Record<string, unknown>,
      secrets: this.secrets.sealTask({ id, config: stored as unknown as Record<string, unknown> }, secrets),
      slotName,
      publicationName: slotName,
      confirmedLsn: null,
      delaySeconds: null,
      requestedOperation: null,
      lastError: null,
    });
    await this.logs.append(id, 'info', `task created; replication slot ${slotName} will be created at start`);
    return toTaskView(task, null); // nothing runs a task that was just created
  }

  async get(id: string): Promise<TaskView> {
    const [task, schedulerOf] = await Promise.all([this.command.load(id), this.fleet.placements()]);
    return toTaskView(task, schedulerOf(id));
  }

  async list(query: ListTasksQuery): Promise<Page<TaskView>> {
    const [{ items, total }, schedulerOf] = await Promise.all([this.tasks.list(query), this.fleet.placements()]);
    return { items: items.map((task) => toTaskView(task, schedulerOf(task.id))), total, page: query.page, pageSize: query.pageSize };
  }

  /** Starts now, or at `startAt` through a delayed job that survives a scheduler restart. */
  async submit(id: string, dto: SubmitTaskDto): Promise<TaskView> {
    const task = await this.command.load(id);
    this.assert('submit', task);
    await this.prechecks.assertSubmittable(task);
    const startAt = dto.startAt ? new Date(dto.startAt) : null;
    const delay = startAt ? Math.max(0, startAt.getTime() - Date.now()) : 0;
    const next = delay > 0 ? 'PENDING_START' : 'STARTING';
    // Only the configuration the precheck vouched for may start: an edit in between is a conflict.
    // The start time is kept on the task too: a scheduler starts it when due even if the job is lost.
    await this.command.transitionOrConflict(
      task,
      'submit',
      next,
      { lastError: null, requestedOperation: null, scheduledStartAt: delay > 0 ? startAt : null },
      true,
    );
    await this.logs.append(id, 'info', `${delay > 0 ? `start scheduled at ${startAt!.toISOString()}` : 'start requested'} by ${currentActor()}`);
    await this.command.enqueue(TaskControlJob.StartTask, { taskId: id, requestedBy: currentActor() }, delay);
    return this.get(id);
  }

  async stop(id: string, force: boolean): Promise<TaskView> {
    const task = await this.command.load(id);
    const operation: TaskOperation = force ? 'forceStop' : 'stop';
    this.assert(operation, task);
    if (NEVER_STARTED_STATUSES.includes(task.status)) {
      // Nothing ran and no slot exists: cancelled, not "COMPLETED" (a scheduled start is void:
      // its job finds the task no longer PENDING_START and does nothing).
      await this.command.transitionOrConflict(task, operation, 'CANCELLED', { requestedOperation: null, scheduledStartAt: null });
      await this.logs.append(id, 'info', 'cancelled before it started: no slot was created and nothing was delivered');
      return this.get(id);
    }
    await this.command.transitionOrConflict(task, operation, 'STOPPING', { requestedOperation: operation === 'forceStop' ? 'forceStop' : 'stop' });
    // Logged before the job exists, so the scheduler's "stopped" line can never come first.
    await this.logs.append(id, 'info', `${force ? 'force stop' : 'stop'} requested by ${currentActor()}`);
    await this.command.enqueue(TaskControlJob.StopTask, { taskId: id, requestedBy: currentActor(), force });
    return this.get(id);
  }

  private assert(operation: TaskOperation, task: TaskEntity): void {
    assertAllowed(operation, task.status);
  }
}
