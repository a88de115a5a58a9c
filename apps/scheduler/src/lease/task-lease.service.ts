import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Redis from 'ioredis';
import { redisConnection, type AppConfig } from '@walbridge/config';
import { APP_CONFIG, logRedisOutages } from '@walbridge/nest-common';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Ownership of a running task by exactly one scheduler: a Redis key with a TTL that the owner
 * renews. If the owner dies, the key expires and another scheduler takes the task over.
 */
@Injectable()
export class TaskLeaseService implements OnModuleDestroy {
  readonly schedulerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly redis: Redis;
  readonly ttlMs: number;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({ ...redisConnection(config), maxRetriesPerRequest: 3 });
    logRedisOutages(this.redis, new Logger(TaskLeaseService.name), 'task leases');
    this.ttlMs = config.WALBRIDGE_LEASE_TTL_MS;
    this.prefix = config.WALBRIDGE_QUEUE_PREFIX;
  }

  async acquire(taskId: string): Promise<boolean> {
    const result = await this.redis.set(this.key(taskId), this.schedulerId, 'PX', this.ttlMs, 'NX');
    if (result === 'OK') return true;
    return (await this.redis.get(this.key(taskId))) === this.schedulerId;
  }

  /** False means the lease was lost (expired and maybe taken): the caller must stop at once. */
  async renew(taskId: string): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key(taskId), this.schedulerId, String(this.ttlMs))) === 1;
  }

  async release(taskId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(taskId), this.schedulerId);
  }

  async owner(taskId: string): Promise<string | null> {
    return this.redis.get(this.key(taskId));
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }

  private key(taskId: string): string {
    return `${this.prefix}:lease:task:${taskId}`;
  }
}
