import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { redisConnection, type AppConfig } from '@walbridge/config';
import { APP_CONFIG, logRedisOutages } from '@walbridge/nest-common';
import { fleetKeys, parseSchedulerRecord, type SchedulerRecord } from '@walbridge/queue';

/** How long a drain request waits for its scheduler to see it (it checks every heartbeat). */
const DRAIN_REQUEST_TTL_SECONDS = 3600;

/**
 * The fleet's records in Redis, read for the api (libs/queue fleet-registry.ts): the schedulers
 * publish themselves there every heartbeat; the api never calls a scheduler, it writes a drain
 * request key the scheduler picks up.
 */
@Injectable()
export class FleetRegistryRepository implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis({ ...redisConnection(config), maxRetriesPerRequest: 1, lazyConnect: true });
    // A request that needs Redis fails with its own error; the outage itself is one line in the log.
    logRedisOutages(this.redis, new Logger(FleetRegistryRepository.name), 'fleet view');
    this.prefix = config.WALBRIDGE_QUEUE_PREFIX;
  }

  async schedulers(): Promise<SchedulerRecord[]> {
    const keys = await this.keys(fleetKeys.schedulerPattern(this.prefix));
    if (!keys.length) return [];
    const values = await this.redis.mget(...keys);
    return values.map(parseSchedulerRecord).filter((r): r is SchedulerRecord => r !== null);
  }

  /** Every task no scheduler could take for want of room, with the reason. */
  async allWaiting(): Promise<{ taskId: string; reason: string }[]> {
    const pattern = fleetKeys.waiting(this.prefix, '*');
    const keys = await this.keys(pattern);
    if (!keys.length) return [];
    const values = await this.redis.mget(...keys);
    return keys.flatMap((key, i) => (values[i] ? [{ taskId: key.slice(pattern.length - 1), reason: values[i]! }] : []));
  }

  private async keys(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }

  async requestDrain(id: string): Promise<void> {
    await this.redis.set(fleetKeys.drain(this.prefix, id), new Date().toISOString(), 'EX', DRAIN_REQUEST_TTL_SECONDS);
  }

  async drainRequested(id: string): Promise<boolean> {
    return (await this.redis.exists(fleetKeys.drain(this.prefix, id))) === 1;
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
