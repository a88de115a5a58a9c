import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.schema';
import { describeRedis, redisConnection } from './redis-connection';

const problemsOf = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('loadConfig accepted it');
};

describe('Redis connection settings', () => {
  it.each([
    ['the default single node', {}, { host: '127.0.0.1', port: 56379, db: 0 }],
    ['a URL with a password and a database', { WALBRIDGE_REDIS_URL: 'redis://:s%40cret@redis.internal:6380/2' }, { host: 'redis.internal', port: 6380, password: 's@cret', db: 2 }],
    ['a URL with an ACL user', { WALBRIDGE_REDIS_URL: 'redis://walbridge:pw@10.0.0.9' }, { host: '10.0.0.9', port: 6379, username: 'walbridge', password: 'pw', db: 0 }],
    ['TLS', { WALBRIDGE_REDIS_URL: 'rediss://redis.internal:6380' }, { host: 'redis.internal', port: 6380, db: 0, tls: {} }],
    ['an IPv6 address', { WALBRIDGE_REDIS_URL: 'redis://[::1]:6379' }, { host: '::1', port: 6379, db: 0 }],
    ['WALBRIDGE_REDIS_PASSWORD over the URL', { WALBRIDGE_REDIS_URL: 'redis://:old@r:1', WALBRIDGE_REDIS_PASSWORD: 'new' }, { host: 'r', port: 1, password: 'new', db: 0 }],
  ])('single node: %s', (_name, env, expected) => {
    expect(redisConnection(loadConfig(env))).toEqual(expected);
  });

  it.each([
    [
      'sentinels with both passwords',
      {
        WALBRIDGE_REDIS_SENTINELS: '10.0.0.5:26379, sentinel-2.internal:26380,[::1]:26381',
        WALBRIDGE_REDIS_SENTINEL_NAME: 'walbridge',
        WALBRIDGE_REDIS_SENTINEL_PASSWORD: 'sp',
        WALBRIDGE_REDIS_PASSWORD: 'rp',
      },
      {
        sentinels: [
          { host: '10.0.0.5', port: 26379 },
          { host: 'sentinel-2.internal', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        name: 'walbridge',
        sentinelPassword: 'sp',
        password: 'rp',
        role: 'master',
      },
    ],
    [
      'sentinels without passwords, the URL ignored',
      { WALBRIDGE_REDIS_SENTINELS: '127.0.0.1:26379', WALBRIDGE_REDIS_SENTINEL_NAME: 'm', WALBRIDGE_REDIS_URL: 'redis://:x@elsewhere:1' },
      { sentinels: [{ host: '127.0.0.1', port: 26379 }], name: 'm', role: 'master' },
    ],
  ])('sentinel mode: %s', (_name, env, expected) => {
    expect(redisConnection(loadConfig(env))).toEqual(expected);
  });

  it.each([
    ['a sentinel without a port', { WALBRIDGE_REDIS_SENTINELS: '10.0.0.5', WALBRIDGE_REDIS_SENTINEL_NAME: 'm' }, /WALBRIDGE_REDIS_SENTINELS: must be a comma separated list of host:port .*not host:port: 10\.0\.0\.5/],
    ['a port out of range', { WALBRIDGE_REDIS_SENTINELS: 'a:1,b:70000', WALBRIDGE_REDIS_SENTINEL_NAME: 'm' }, /WALBRIDGE_REDIS_SENTINELS: .*not host:port: b:70000/],
    ['an empty list', { WALBRIDGE_REDIS_SENTINELS: ' , ', WALBRIDGE_REDIS_SENTINEL_NAME: 'm' }, /WALBRIDGE_REDIS_SENTINELS: must be a comma separated list/],
    ['sentinels without a master name', { WALBRIDGE_REDIS_SENTINELS: 'a:26379' }, /WALBRIDGE_REDIS_SENTINEL_NAME: required with WALBRIDGE_REDIS_SENTINELS/],
    ['a master name without sentinels', { WALBRIDGE_REDIS_SENTINEL_NAME: 'm' }, /WALBRIDGE_REDIS_SENTINELS: required with WALBRIDGE_REDIS_SENTINEL_NAME/],
    ['a master name with a space', { WALBRIDGE_REDIS_SENTINELS: 'a:1', WALBRIDGE_REDIS_SENTINEL_NAME: 'my master' }, /WALBRIDGE_REDIS_SENTINEL_NAME: 1-64 characters/],
    ['a URL of another scheme', { WALBRIDGE_REDIS_URL: 'http://redis:6379' }, /WALBRIDGE_REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('refuses %s at boot, naming the variable', (_name, env, message) => {
    expect(problemsOf(env)).toMatch(message);
  });

  it('never puts a password in the description used by logs', () => {
    const sentinel = loadConfig({ WALBRIDGE_REDIS_SENTINELS: 'a:1,b:2', WALBRIDGE_REDIS_SENTINEL_NAME: 'm', WALBRIDGE_REDIS_SENTINEL_PASSWORD: 'sentinel-secret', WALBRIDGE_REDIS_PASSWORD: 'redis-secret' });
    expect(describeRedis(sentinel)).toBe('Redis primary "m" through the Sentinels a:1,b:2');
    expect(describeRedis(loadConfig({ WALBRIDGE_REDIS_URL: 'redis://:url-secret@r:1' }))).toBe('Redis at r:1');
    expect(problemsOf({ WALBRIDGE_REDIS_SENTINELS: 'bad', WALBRIDGE_REDIS_SENTINEL_NAME: 'm', WALBRIDGE_REDIS_PASSWORD: 'redis-secret' })).not.toContain('redis-secret');
  });
});
