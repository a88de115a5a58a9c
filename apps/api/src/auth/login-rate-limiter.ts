import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { redisConnection, type AppConfig } from '@walbridge/config';
import { DomainError } from '@walbridge/domain';
import { APP_CONFIG, logRedisOutages } from '@walbridge/nest-common';
import type { ErrorCode } from '@walbridge/contracts';

// A client address may fail this many times more than one user name before it is shut out too,
// which stops spraying one password across many user names.
const PER_ADDRESS_FACTOR = 20;
// A replica that dies mid-attempt must not hold a concurrency slot for ever.
const IN_FLIGHT_TTL_MS = 30_000;
// Addresses a user logged in from are remembered this long; they skip the per-user backoff.
const KNOWN_ADDRESS_TTL_SECONDS = 30 * 86400;
const BACKOFF_BASE_MS = 1000;

/** Takes one in-flight slot on every key, or none: returns 0, or the 1-based key that is full. */
const ACQUIRE = `
for i, k in ipairs(KEYS) do
  if tonumber(redis.call('GET', k) or '0') >= tonumber(ARGV[1]) then return i end
end
for i, k in ipairs(KEYS) do
  redis.call('INCR', k)
  redis.call('PEXPIRE', k, ARGV[2])
end
return 0`;

const RELEASE = `
for i, k in ipairs(KEYS) do
  if tonumber(redis.call('DECR', k)) <= 0 then redis.call('DEL', k) end
end
return 0`;

/**
 * The per-user backoff, across addresses: an attempt is counted before its password is checked;
 * past the free attempts each one opens the next only after 1 s, 2 s, 4 s ... up to the cap.
 * Returns 0 (go ahead) or the milliseconds to wait.
 */
const BACKOFF = `
local now = tonumber(ARGV[1])
local nextAt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if now < nextAt then return nextAt - now end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local free = tonumber(ARGV[2])
if failures > free then
  redis.call('HSET', KEYS[1], 'next', now + math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (failures - free - 1)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 0`;

type LimiterRedis = Redis & {
  loginAcquire(...args: (string | number)[]): Promise<number>;
  loginRelease(...args: (string | number)[]): Promise<number>;
  loginBackoff(key: string, ...args: number[]): Promise<number>;
};

/** One login (or password change) attempt: counted before the password is checked. */
export interface LoginAttempt {
  /** Counts the attempt against the limits (atomically, in Redis); 429 once they are reached. */
  consume(): Promise<void>;
  succeeded(): Promise<void>;
  /** Frees the attempt's concurrency slots; always call it. */
  end(): Promise<void>;
}

/**
 * Login limits, in Redis so every API replica agrees (PRODUCT.md §8, issue 14):
 * - at most WALBRIDGE_LOGIN_MAX_CONCURRENT attempts at once per address and per user name;
 * - WALBRIDGE_LOGIN_MAX_FAILURES per user name and address (and 20 times that per address)
 *   per WALBRIDGE_LOGIN_LOCKOUT_SECONDS, consumed before the password is checked, so a burst
 *   cannot get more checks than the limit; a successful login gives its point back;
 * - per user name across all addresses, an exponential backoff (capped at
 *   WALBRIDGE_LOGIN_BACKOFF_MAX_SECONDS) rather than a lock, which addresses the user logged in
 *   from before skip: rotating addresses multiplies nothing, and nobody can lock the admin out.
 * If Redis is unreachable, in-process counts take over rather than letting guesses through.
 */
@Injectable()
export class LoginRateLimiter implements OnApplicationShutdown {
  private readonly redis: LimiterRedis;
  private readonly perUser: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;
  private readonly prefix: string;
  private readonly local = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.redis = new Redis({ ...redisConnection(config), enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) as LimiterRedis;
    // The insurance limiter covers an outage; the log says it happened, once, and when it ends.
    logRedisOutages(this.redis, new Logger(LoginRateLimiter.name), 'login limits (in-process counts meanwhile)');
    this.redis.defineCommand('loginAcquire', { lua: ACQUIRE });
    this.redis.defineCommand('loginRelease', { lua: RELEASE });
    this.redis.defineCommand('loginBackoff', { numberOfKeys: 1, lua: BACKOFF });
    this.prefix = `${config.WALBRIDGE_QUEUE_PREFIX}:login`;
    const limiter = (name: string, points: number) => {
      const options = { keyPrefix: `${config.WALBRIDGE_QUEUE_PREFIX}:login-failures:${name}`, points, duration: config.WALBRIDGE_LOGIN_LOCKOUT_SECONDS };
      return new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
    };
    this.perUser = limiter('user', config.WALBRIDGE_LOGIN_MAX_FAILURES);
    this.perAddress = limiter('address', config.WALBRIDGE_LOGIN_MAX_FAILURES * PER_ADDRESS_FACTOR);
  }

  /** Starts an attempt: 429 at once when this address or user already has too many under way. */
  async begin(address: string, rawUsername: string): Promise<LoginAttempt> {
    const username = rawUsername.slice(0, 256);
    const keys = [`${this.prefix}:in-flight:address:${address}`, `${this.prefix}:in-flight:user:${username}`];
    const limit = this.config.WALBRIDGE_LOGIN_MAX_CONCURRENT;
    let release: () => Promise<void>;
    try {
      const full = await this.redis.loginAcquire(keys.length, ...keys, limit, IN_FLIGHT_TTL_MS);
      if (full) throw tooMany('LOGIN_CONCURRENCY', `too many logins ${full === 1 ? 'from this address' : 'for this user'} at once; try again in a second`, 1);
      release = () => this.redis.loginRelease(keys.length, ...keys).then(() => undefined, () => undefined);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      release = this.acquireLocally(keys, limit);
    }
    const userKey = `${address}|${username}`;
    let consumed = false;
    let ended = false;
    return {
      consume: async () => {
        const results = await Promise.allSettled([this.perUser.consume(userKey), this.perAddress.consume(address)]);
        consumed = true;
        const waits = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof RateLimiterRes ? [r.reason.msBeforeNext] : []));
        if (waits.length) throw tooMany('TOO_MANY_LOGIN_ATTEMPTS', 'too many failed logins', Math.max(...waits));
        const error = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (error) throw error.reason;
        if (!(await this.isKnownAddress(username, address))) {
          const waitMs = await this.redis.loginBackoff(
            `${this.prefix}:backoff:${username}`,
            Date.now(),
            this.config.WALBRIDGE_LOGIN_MAX_FAILURES,
            BACKOFF_BASE_MS,
            this.config.WALBRIDGE_LOGIN_BACKOFF_MAX_SECONDS * 1000,
            this.config.WALBRIDGE_LOGIN_LOCKOUT_SECONDS * 1000,
          ).catch(() => 0);
          if (waitMs > 0) throw tooMany('LOGIN_BACKOFF', `too many failed logins for this user`, waitMs);
        }
      },
      succeeded: async () => {
        if (!consumed) return;
        await Promise.allSettled([
          this.perUser.reward(userKey, 1),
          this.perAddress.reward(address, 1),
          this.redis.del(`${this.prefix}:backoff:${username}`),
          this.redis.multi().sadd(`${this.prefix}:known:${username}`, address).expire(`${this.prefix}:known:${username}`, KNOWN_ADDRESS_TTL_SECONDS).exec(),
        ]);
      },
      end: async () => {
        if (ended) return;
        ended = true;
        await release();
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  private async isKnownAddress(username: string, address: string): Promise<boolean> {
    return (await this.redis.sismember(`${this.prefix}:known:${username}`, address).catch(() => 0)) === 1;
  }

  /** Redis is down: the same concurrency cap, for this replica only. */
  private acquireLocally(keys: string[], limit: number): () => Promise<void> {
    if (keys.some((k) => (this.local.get(k) ?? 0) >= limit)) throw tooMany('LOGIN_CONCURRENCY', 'too many logins at once; try again in a second', 1000);
    for (const k of keys) this.local.set(k, (this.local.get(k) ?? 0) + 1);
    return async () => {
      for (const k of keys) {
        const left = (this.local.get(k) ?? 1) - 1;
        if (left <= 0) this.local.delete(k);
        else this.local.set(k, left);
      }
    };
  }
}

function tooMany(code: ErrorCode, message: string, waitMs: number): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new DomainError('rate-limited', code, code === 'LOGIN_CONCURRENCY' ? message : `${message}; try again in ${retryAfterSeconds} s`, [], { retryAfterSeconds });
}
