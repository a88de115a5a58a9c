import type { AppConfig } from './env.schema';

type RedisSettings = Pick<
  AppConfig,
  'WALBRIDGE_REDIS_URL' | 'WALBRIDGE_REDIS_SENTINELS' | 'WALBRIDGE_REDIS_SENTINEL_NAME' | 'WALBRIDGE_REDIS_SENTINEL_PASSWORD' | 'WALBRIDGE_REDIS_PASSWORD'
>;

/** ioredis options of one Redis server (a subset of ioredis' RedisOptions). */
export interface SingleRedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
}

/** ioredis options of a primary found through Sentinels (a subset of ioredis' RedisOptions). */
export interface SentinelRedisConnection {
  sentinels: { host: string; port: number }[];
  name: string;
  sentinelPassword?: string;
  password?: string;
  /**
   * Only the primary: after a failover ioredis asks the Sentinels again and refuses a demoted
   * server. Not ioredis' failoverDetector: its +switch-master arriving while the client is
   * already reconnecting ends that client for good ("Connection is closed", seen in
   * test/lifecycle/redis-sentinel-failover); a lost primary closes the connections anyway.
   */
  role: 'master';
}

export type RedisConnection = SingleRedisConnection | SentinelRedisConnection;

/**
 * The ONE place Redis connection options are built: every client of the api and the scheduler
 * (BullMQ queues, workers and queue events, leases, the fleet registry, the login limiter) spreads
 * these into its own options. Sentinel mode when WALBRIDGE_REDIS_SENTINELS is set, else the URL.
 */
export function redisConnection(config: RedisSettings): RedisConnection {
  if (config.WALBRIDGE_REDIS_SENTINELS) {
    return {
      sentinels: config.WALBRIDGE_REDIS_SENTINELS.map(({ host, port }) => ({ host, port })),
      // loadConfig refuses sentinels without a name; the fallback is ioredis' own default.
      name: config.WALBRIDGE_REDIS_SENTINEL_NAME ?? 'mymaster',
      ...(config.WALBRIDGE_REDIS_SENTINEL_PASSWORD ? { sentinelPassword: config.WALBRIDGE_REDIS_SENTINEL_PASSWORD } : {}),
      ...(config.WALBRIDGE_REDIS_PASSWORD ? { password: config.WALBRIDGE_REDIS_PASSWORD } : {}),
      role: 'master',
    };
  }
  const url = new URL(config.WALBRIDGE_REDIS_URL);
  const db = Number(url.pathname.replace(/^\//, '') || 0);
  const urlPassword = url.password ? decodeURIComponent(url.password) : undefined;
  const password = config.WALBRIDGE_REDIS_PASSWORD ?? urlPassword;
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(password ? { password } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Where Redis is, for logs and errors: never a password. */
export function describeRedis(config: RedisSettings): string {
  const connection = redisConnection(config);
  if ('sentinels' in connection) {
    return `Redis primary "${connection.name}" through the Sentinels ${connection.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }
  return `Redis at ${connection.host}:${connection.port}`;
}
