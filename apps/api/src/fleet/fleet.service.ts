import { Injectable } from '@nestjs/common';
import type { SchedulerListView, SchedulerView, TaskSchedulerView } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import type { SchedulerRecord } from '@walbridge/queue';
import { FleetRegistryRepository } from './fleet-registry.repository';

/** The scheduler of a task, from one read of the fleet. */
export type TaskPlacements = (taskId: string) => TaskSchedulerView | null;

function view(record: SchedulerRecord, drainRequested: boolean): SchedulerView {
  return {
    id: record.id,
    host: record.host,
    pid: record.pid,
    version: record.version,
    startedAt: record.startedAt,
    lastHeartbeatAt: record.heartbeatAt,
    tasks: record.tasks,
    capacity: record.capacity,
    // Asked to drain, it is draining from the api's point of view before its next heartbeat says so.
    draining: record.draining || drainRequested,
    taskIds: [...record.taskIds].sort(),
  };
}

/** The fleet view and drain requests (issue 19): reads what the schedulers publish, writes intents only. */
@Injectable()
export class FleetService {
  constructor(private readonly registry: FleetRegistryRepository) {}

  async list(): Promise<SchedulerListView> {
    const records = await this.registry.schedulers();
    const items = await Promise.all(records.map(async (r) => view(r, await this.registry.drainRequested(r.id))));
    items.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : 1));
    const waiting = (await this.registry.allWaiting()).sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
    return { items, waiting };
  }

  /**
   * Which scheduler holds each task, for the task views: one read of the heartbeats, whose task
   * lists are the leases each scheduler holds. Redis not answering leaves every task without a
   * scheduler rather than failing the view of the tasks.
   */
  async placements(): Promise<TaskPlacements> {
    const records = await this.registry.schedulers().catch(() => [] as SchedulerRecord[]);
    const byTask = new Map<string, TaskSchedulerView>();
    for (const r of records) for (const taskId of r.taskIds) byTask.set(taskId, { id: r.id, host: r.host });
    return (taskId) => byTask.get(taskId) ?? null;
  }

  async drain(id: string): Promise<SchedulerView> {
    const record = (await this.registry.schedulers()).find((r) => r.id === id);
    if (!record) {
      throw new DomainError('not-found', 'SCHEDULER_NOT_FOUND', `scheduler ${id} is not in the fleet (it has not published a heartbeat lately)`);
    }
    await this.registry.requestDrain(id);
    return view(record, true);
  }
}
