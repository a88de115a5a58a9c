import { Injectable, Logger } from '@nestjs/common';
import { leaseCheckEveryMs, leaseRenewalStep } from '@walbridge/domain';
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
  /** When the last renewal (or the acquire) of each owned lease that Redis confirmed was sent. */
  private readonly renewedAt = new Map<string, number>();
  private renewing = false;
  private placing: Promise<unknown> = Promise.resolve();
  /** The clock of the renewals; only unit specs replace it. */
  now: () => number = () => Date.now();

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

  /** How often renewAll runs: each lease is renewed every third of its TTL, a failed renewal retried at the next check. */
  get renewCheckMs(): number {
    return leaseCheckEveryMs(this.lease.ttlMs);
  }

  /**
   * Takes the task's lease. A task nobody owns is taken to stream it only where the fleet's
   * placement says so (room here, no less loaded scheduler with room); a draining scheduler
   * takes nothing new at all.
   */
  async own(taskId: string, purpose: 'stream' | 'oneShot' = 'oneShot'): Promise<boolean> {
    if (purpose === 'stream' && !this.owned.has(taskId)) {
      // One placement at a time: a drain elsewhere releases several tasks at once, and each
      // decision must count the task the one before it took, or a scheduler goes over capacity.
      const turn = this.placing.then(() => this.take(taskId, purpose));
      this.placing = turn.catch(() => undefined);
      return turn;
    }
    return this.take(taskId, purpose);
  }

  private async take(taskId: string, purpose: 'stream' | 'oneShot'): Promise<boolean> {
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
    const sentAt = this.now();
    if (!(await this.lease.acquire(taskId))) return false;
    if (!this.owned.has(taskId)) {
      this.owned.add(taskId);
      this.renewedAt.set(taskId, sentAt);
      this.fleet.setTasks(this.owned);
      await this.fleet.placed(taskId);
    }
    return true;
  }

  async release(taskId: string): Promise<void> {
    this.owned.delete(taskId);
    this.renewedAt.delete(taskId);
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

  /**
   * Renews the leases due (leaseRenewalStep). A renewal Redis refuses means another scheduler
   * may own the task; one that cannot reach Redis is retried at the next check, until so much of
   * the TTL has passed that the key may expire: either way the worker is killed, so that two
   * workers never touch one slot (a Redis outage or a failover that does not end in time).
   */
  async renewAll(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await Promise.all([...this.owned].map((taskId) => this.renewOne(taskId)));
    } finally {
      this.renewing = false;
    }
  }

  private async renewOne(taskId: string): Promise<void> {
    const since = this.now() - (this.renewedAt.get(taskId) ?? 0);
    const step = leaseRenewalStep(since, this.lease.ttlMs);
    if (step === 'wait') return;
    if (step === 'giveUp') {
      return this.lose(taskId, `could not renew the lease of task ${taskId} for ${(since / 1000).toFixed(1)} s (Redis does not answer); killing its worker before the lease expires`);
    }
    const sentAt = this.now();
    // Never longer than a check: a connection attempt that hangs must not hold the give-up back.
    const kept = await Promise.race([
      this.lease.renew(taskId).catch(() => null),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), this.renewCheckMs).unref()),
    ]);
    if (kept === true && this.owned.has(taskId)) this.renewedAt.set(taskId, sentAt);
    if (kept === false) this.lose(taskId, `lost the lease of task ${taskId}; killing its worker`);
  }

  private lose(taskId: string, why: string): void {
    if (!this.owned.has(taskId)) return;
    this.logger.warn(why);
    this.owned.delete(taskId);
    this.renewedAt.delete(taskId);
    this.fleet.setTasks(this.owned);
    this.restarts.cancel(taskId);
    this.workers.kill(taskId);
  }

  /** SIGTERM, after the workers drained: the tasks are adopted elsewhere or here after the restart. */
  async releaseAllLeases(): Promise<void> {
    for (const taskId of [...this.owned]) await this.lease.release(taskId).catch(() => undefined);
  }
}
