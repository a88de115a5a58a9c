import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { redisConnection, type AppConfig } from '@walbridge/config';
import { capacityWaitText, decidePlacement, type PlacementDecision, type SchedulerLoad } from '@walbridge/domain';
import { APP_CONFIG, logRedisOutages } from '@walbridge/nest-common';
import { fleetKeys, parseSchedulerRecord, type SchedulerRecord } from '@walbridge/queue';
import { TaskLeaseService } from '../lease/task-lease.service';

/** Peers are read at most this often: a reconcile pass asks once per task nobody owns. */
const PEERS_FRESH_MS = 300;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * This scheduler's place in the fleet: its record in Redis (load, capacity, draining, renewed
 * every heartbeat and at once when its load changes), the peers' records, and the placement
 * question "should I take this task?" answered by `decidePlacement`.
 */
@Injectable()
export class FleetRegistry implements OnModuleDestroy {
  private readonly logger = new Logger(FleetRegistry.name);
  readonly redis: Redis;
  readonly capacity: number;
  readonly heartbeatMs: number;
  private readonly prefix: string;
  private readonly startedAt = new Date().toISOString();
  private readonly version = packageVersion();
  private taskIds: string[] = [];
  private drainingNow = false;
  private peersCache: { at: number; peers: SchedulerRecord[] } | null = null;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly lease: TaskLeaseService,
  ) {
    this.redis = new Redis({ ...redisConnection(config), maxRetriesPerRequest: 3 });
    logRedisOutages(this.redis, this.logger, 'fleet registry');
    this.capacity = config.WALBRIDGE_SCHEDULER_MAX_TASKS;
    this.heartbeatMs = config.WALBRIDGE_SCHEDULER_HEARTBEAT_MS;
    this.prefix = config.WALBRIDGE_QUEUE_PREFIX;
  }

  get id(): string {
    return this.lease.schedulerId;
  }

  get draining(): boolean {
    return this.drainingNow;
  }

  get load(): SchedulerLoad {
    return { id: this.id, tasks: this.taskIds.length, capacity: this.capacity, draining: this.drainingNow };
  }

  /** The tasks this scheduler holds changed: peers see it at once, not a heartbeat later. */
  setTasks(taskIds: Iterable<string>): void {
    this.taskIds = [...taskIds].sort();
    void this.publish();
  }

  startDraining(): void {
    this.drainingNow = true;
    void this.publish();
  }

  /** Writes the record (one write at a time, so an older one never lands after a newer one). */
  publish(): Promise<void> {
    const record: SchedulerRecord = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      version: this.version,
      startedAt: this.startedAt,
      heartbeatAt: new Date().toISOString(),
      tasks: this.taskIds.length,
      capacity: this.capacity,
      draining: this.drainingNow,
      taskIds: this.taskIds,
    };
    this.publishing = this.publishing
      .then(() => this.redis.set(fleetKeys.scheduler(this.prefix, this.id), JSON.stringify(record), 'PX', this.heartbeatMs * 3))
      .then(() => undefined)
      .catch((e: Error) => this.logger.warn(`publishing this scheduler in the fleet: ${e.message}`));
    return this.publishing;
  }

  async withdraw(): Promise<void> {
    await this.publishing;
    await this.redis.del(fleetKeys.scheduler(this.prefix, this.id)).catch(() => undefined);
  }

  async peers(): Promise<SchedulerRecord[]> {
    if (this.peersCache && Date.now() - this.peersCache.at < PEERS_FRESH_MS) return this.peersCache.peers;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', fleetKeys.schedulerPattern(this.prefix), 'COUNT', 200);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    const values = keys.length ? await this.redis.mget(keys) : [];
    const peers = values.map(parseSchedulerRecord).filter((r): r is SchedulerRecord => r !== null && r.id !== this.id);
    this.peersCache = { at: Date.now(), peers };
    return peers;
  }

  async drainRequested(): Promise<boolean> {
    return (await this.redis.exists(fleetKeys.drain(this.prefix, this.id))) === 1;
  }

  /**
   * Should this scheduler take a task that nobody owns now? When no scheduler has room, the task
   * gets its visible reason (and one task log line, returned as `newlyWaiting`).
   */
  async place(taskId: string): Promise<PlacementDecision & { waitText?: string; newlyWaiting?: boolean }> {
    const peers = (await this.peers()).map(({ id, tasks, capacity, draining }) => ({ id, tasks, capacity, draining }));
    const decision = decidePlacement(this.load, peers);
    if (decision.take || !decision.waitingForCapacity) return decision;
    const waitText = capacityWaitText([this.load, ...peers]);
    const key = fleetKeys.waiting(this.prefix, taskId);
    // Lives a few reconcile passes: gone soon after the last scheduler stopped declining it.
    const set = await this.redis.set(key, waitText, 'PX', 10_000, 'NX');
    if (set !== 'OK') await this.redis.set(key, waitText, 'PX', 10_000, 'XX');
    return { ...decision, waitText, newlyWaiting: set === 'OK' };
  }

  async placed(taskId: string): Promise<void> {
    await this.redis.del(fleetKeys.waiting(this.prefix, taskId)).catch(() => undefined);
  }

  /** A lease released on purpose (drain, handover): the other schedulers adopt it now, not at their next pass. */
  async announceReleased(taskId: string): Promise<void> {
    await this.redis.publish(fleetKeys.releasedChannel(this.prefix), taskId).catch(() => undefined);
  }

  get releasedChannel(): string {
    return fleetKeys.releasedChannel(this.prefix);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
