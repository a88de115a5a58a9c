import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '@walbridge/config';
import { DomainError } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';

// A client address may fail this many times more than one user name before it is shut out too,
// which stops spraying one password across many user names.
const PER_ADDRESS_FACTOR = 20;

/**
 * Counts failed logins in Redis, so every API replica sees the same count, per user name and
 * client address and per address alone. Successful logins are not counted: a busy team (or a
 * test suite) logging in often is never locked out, a password guesser is. If Redis is
 * unreachable, an in-process count takes over rather than letting guesses through unlimited.
 */
@Injectable()
export class LoginRateLimiter implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly perUser: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;
  private readonly maxFailures: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis(config.WALBRIDGE_REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', () => undefined); // the insurance limiter covers an outage
    this.maxFailures = config.WALBRIDGE_LOGIN_MAX_FAILURES;
    const limiter = (name: string, points: number) => {
      const options = { keyPrefix: `${config.WALBRIDGE_QUEUE_PREFIX}:login-failures:${name}`, points, duration: config.WALBRIDGE_LOGIN_LOCKOUT_SECONDS };
      return new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
    };
    this.perUser = limiter('user', this.maxFailures);
    this.perAddress = limiter('address', this.maxFailures * PER_ADDRESS_FACTOR);
  }

  /** Refuses (429 with Retry-After) once too many attempts failed, even with the right password. */
  async assertAllowed(address: string, username: string): Promise<void> {
    const checks = await Promise.all([
      this.perUser.get(userKey(address, username)).then((res) => ({ res, points: this.maxFailures })),
      this.perAddress.get(address).then((res) => ({ res, points: this.maxFailures * PER_ADDRESS_FACTOR })),
    ]);
    const waits = checks.filter(({ res, points }) => res && res.consumedPoints >= points).map(({ res }) => res!.msBeforeNext);
    if (!waits.length) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
    throw new DomainError('rate-limited', 'TOO_MANY_LOGIN_ATTEMPTS', `too many failed logins; try again in ${retryAfterSeconds} s`, [], {
      retryAfterSeconds,
    });
  }

  async failed(address: string, username: string): Promise<void> {
    // consume() rejects once the limit is passed; the count is what matters here.
    await Promise.allSettled([this.perUser.consume(userKey(address, username)), this.perAddress.consume(address)]);
  }

  async succeeded(address: string, username: string): Promise<void> {
    await this.perUser.delete(userKey(address, username)).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

function userKey(address: string, username: string): string {
  return `${address}|${username.slice(0, 256)}`;
}
