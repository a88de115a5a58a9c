import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '@walbridge/config';
import { decideRebalance, taskLogText } from '@walbridge/domain';
import { APP_CONFIG, logRedisOutages } from '@walbridge/nest-common';
import { TaskLogRepository } from '@walbridge/persistence';
import { TaskHandover } from '../supervisor/task-handover.service';
import { WorkerSupervisor } from '../supervisor/worker-supervisor.service';
import { FleetRegistry } from './fleet-registry.service';

/** A worker has this long to drain during a drain; the supervisor kills it after 60 s anyway. */
const DRAIN_DEADLINE_MS = 90_000;

/**
 * The fleet's effects on this scheduler: the heartbeat, the drain (SIGTERM or a drain request
 * the api wrote to Redis), adopting tasks other schedulers just released, and the rebalance that
 * hands one task at a time to a lighter scheduler. The decisions are `libs/domain` supervision.
 */
@Injectable()
export class FleetCoordinator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FleetCoordinator.name);
  private readonly rebalance: boolean;
  private heartbeat?: NodeJS.Timeout;
  private subscriber?: Redis;
  private draining?: Promise<void>;
  private moving = false;
  private quietUntil = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly fleet: FleetRegistry,
    private readonly supervisor: WorkerSupervisor,
    private readonly handover: TaskHandover,
    private readonly logs: TaskLogRepository,
  ) {
    this.rebalance = config.WALBRIDGE_REBALANCE === 'on';
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.fleet.publish();
    // A newcomer lets the fleet see it before it judges the spread.
    this.quietUntil = Date.now() + this.fleet.heartbeatMs * 2;
    this.heartbeat = setInterval(() => void this.beat(), this.fleet.heartbeatMs);
    this.subscriber = this.fleet.redis.duplicate();
    logRedisOutages(this.subscriber, this.logger, 'fleet released-task subscription');
    this.subscriber.on('message', (_channel: string, taskId: string) => {
      void this.supervisor.ensureRunning(taskId, { immediate: true }).catch((e: Error) => this.logger.warn(`adopting task ${taskId}: ${e.message}`));
    });
    await this.subscriber.subscribe(this.fleet.releasedChannel);
  }

  /** Stops taking tasks and hands every one over; idempotent (SIGTERM after a drain request). */
  drain(why: string): Promise<void> {
    if (!this.draining) {
      this.logger.log(`draining (${why}): handing ${this.fleet.load.tasks} task(s) over to the fleet`);
      this.fleet.startDraining();
      this.draining = this.handover.handOverAll(DRAIN_DEADLINE_MS).then(() => this.logger.log('drained: this scheduler holds no task'));
    }
    return this.draining;
  }

  /** SIGTERM: drain, then leave the fleet. */
  async shutdown(): Promise<void> {
    await this.drain('SIGTERM');
    clearInterval(this.heartbeat);
    await this.fleet.withdraw();
  }

  private async beat(): Promise<void> {
    try {
      await this.fleet.publish();
      if (!this.draining && (await this.fleet.drainRequested())) void this.drain('requested through the api');
      await this.rebalanceStep();
    } catch (error) {
      this.logger.warn(`fleet heartbeat: ${(error as Error).message}`);
    }
  }

  /** One task at a time, each by a graceful handover, while this is the heaviest scheduler by two or more. */
  private async rebalanceStep(): Promise<void> {
    if (this.moving || this.draining || Date.now() < this.quietUntil) return;
    const peers = await this.fleet.peers();
    if (!decideRebalance(this.fleet.load, peers, this.rebalance)) return;
    const taskId = this.handover.candidate();
    if (!taskId) return;
    this.moving = true;
    try {
      const lightest = Math.min(...peers.filter((p) => !p.draining).map((p) => p.tasks));
      this.logger.log(`rebalance: handing task ${taskId} over (${this.fleet.load.tasks} task(s) here, ${lightest} on the lightest scheduler)`);
      await this.logs.append(taskId, 'info', taskLogText.rebalance(this.fleet.id));
      await this.handover.handOver(taskId);
      const until = Date.now() + DRAIN_DEADLINE_MS;
      while (this.handover.owns(taskId) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      this.moving = false;
      // The adopter publishes its new load at once; two heartbeats let every record catch up.
      this.quietUntil = Date.now() + this.fleet.heartbeatMs * 2;
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.heartbeat);
    this.subscriber?.disconnect();
  }
}
