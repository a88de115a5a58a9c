import { Injectable, Logger } from '@nestjs/common';
import { workerRequest } from '@walbridge/domain';
import { SupervisedWorkers } from './supervised-workers';
import { TaskOwnership } from './task-ownership.service';
import { TaskSerializer } from './task-serializer';

/** Graceful handover of tasks to the rest of the fleet: a drain moves all, a rebalance one. */
@Injectable()
export class TaskHandover {
  private readonly logger = new Logger(TaskHandover.name);

  constructor(
    private readonly workers: SupervisedWorkers,
    private readonly ownership: TaskOwnership,
    private readonly serial: TaskSerializer,
  ) {}

  /**
   * A streaming worker drains (everything acknowledged, its LSN confirmed) and the lease is
   * released the moment it exits; a task waiting for its restart is released at once.
   */
  handOver(taskId: string): Promise<void> {
    return this.serial.run(taskId, async () => {
      const worker = this.workers.get(taskId);
      // Any other worker finishes what it does, then releases.
      if (worker) return this.workers.redirect(worker, workerRequest('handover', worker));
      if (this.ownership.has(taskId)) await this.ownership.releaseToFleet(taskId);
    });
  }

  /** Drain: hands every task over; resolves once this scheduler holds none (or at the deadline). */
  async handOverAll(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    for (const taskId of this.ownership.ids()) void this.handOver(taskId).catch((e) => this.logger.error(e));
    while (this.ownership.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }

  /** The task a rebalance moves: the youngest healthy stream (the one with the least to lose). */
  candidate(): string | null {
    const streams = this.workers.all().filter((w) => w.mode === 'stream' && w.intent === 'stream' && w.streaming);
    return streams.at(-1)?.taskId ?? null;
  }

  owns(taskId: string): boolean {
    return this.ownership.has(taskId);
  }
}
