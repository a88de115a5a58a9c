import { Injectable, Logger } from '@nestjs/common';
import { TaskLogRepository } from '@walbridge/persistence';
import { FleetRegistry } from '../fleet/fleet-registry.service';
import { TaskLeaseService } from '../lease/task-lease.service';
import { RestartSchedule } from './restart-schedule';
import { SupervisedWorkers } from './supervised-workers';

/**
 * The tasks whose lease this scheduler holds, with or without a live process (e.g. waiting to
 * restart): taking a lease where the fleet's placement says so, renewing it, and letting go.
 */
@Injectable()
export class TaskOwnership {
  private readonly logger = new Logger(TaskOwnership.name);
  private readonly owned = new Set<string>();

  constructor(
    private readonly lease: TaskLeaseService,
    private readonly fleet: FleetRegistry,
    private readonly logs: TaskLogRepository,
    private readonly workers: SupervisedWorkers,
    private readonly restarts: RestartSchedule,
  ) {}

  has(taskId: string): boolean {
    return this.owned.has(taskId);
  }

  get size(): number {
    return this.owned.size;
  }

  ids(): string[] {
    return [...this.owned];
  }

  get renewEveryMs(): number {
    return this.lease.renewEveryMs;
  }

  /**
   * Takes the task's lease. A task nobody owns is taken to stream it only where the fleet's
   * placement says so (room here, no less loaded scheduler with room); a draining scheduler
   * takes nothing new at all.
   */
  async own(taskId: string, purpose: 'stream' | 'oneShot' = 'oneShot'): Promise<boolean> {
    if (!this.owned.has(taskId)) {
      if (this.fleet.draining) return false;
      if (purpose === 'stream') {
        const owner = await this.lease.owner(taskId);
        if (owner && owner !== this.lease.schedulerId) return false;
        if (!owner) {
          const placement = await this.fleet.place(taskId);
          if (!placement.take) {
            if (placement.newlyWaiting && placement.waitText) await this.logs.append(taskId, 'warning', placement.waitText);
            return false;
          }
        }
      }
    }
    if (!(await this.lease.acquire(taskId))) return false;
    if (!this.owned.has(taskId)) {
      this.owned.add(taskId);
      this.fleet.setTasks(this.owned);
      await this.fleet.placed(taskId);
    }
    return true;
  }

  async release(taskId: string): Promise<void> {
    this.owned.delete(taskId);
    this.fleet.setTasks(this.owned);
    this.restarts.endEpisode(taskId);
    this.restarts.cancel(taskId);
    await this.lease.release(taskId);
  }

  /** Leaves a runnable task to the other schedulers, and tells them so they adopt it at once. */
  async releaseToFleet(taskId: string): Promise<void> {
    await this.release(taskId);
    await this.fleet.announceReleased(taskId);
    this.logger.log(`task ${taskId} released to the fleet`);
  }

  async renewAll(): Promise<void> {
    for (const taskId of [...this.owned]) {
      const kept = await this.lease.renew(taskId).catch(() => null);
      if (kept === false) {
        // Someone else may own the task now: never let two workers touch one slot.
        this.logger.warn(`lost the lease of task ${taskId}; killing its worker`);
        this.owned.delete(taskId);
        this.fleet.setTasks(this.owned);
        this.restarts.cancel(taskId);
        this.workers.kill(taskId);
      }
    }
  }

  /** SIGTERM, after the workers drained: the tasks are adopted elsewhere or here after the restart. */
  async releaseAllLeases(): Promise<void> {
    for (const taskId of [...this.owned]) await this.lease.release(taskId).catch(() => undefined);
  }
}
