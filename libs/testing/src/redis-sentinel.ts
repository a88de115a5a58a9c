import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sentinelDown, sentinelPrimary, sentinelUp, type SentinelSet } from '../../../tools/stack/drivers/redis-sentinel.mjs';
import { claimTempDir, freePorts } from './dedicated-stack';
import { waitFor } from './wait-for';

export interface DedicatedSentinelSet {
  readonly set: SentinelSet;
  /** What a control plane needs to reach the primary through the Sentinels. */
  readonly env: Record<string, string>;
  /** The primary's port as all Sentinels agree on it (null during a failover). */
  primaryPort(): Promise<number | null>;
  /** SIGKILL to the redis-server that is the primary now; returns its port. */
  killPrimary(): Promise<number>;
  /** Waits until the Sentinels agree on a primary other than `formerPort`; returns its port. */
  promotedFrom(formerPort: number, timeoutMs?: number): Promise<number>;
  cleanup(): Promise<void>;
}

/**
 * A Redis primary with replicas and Sentinels of a test's own, on free loopback ports, started by
 * the stack's driver (tools/stack/drivers/redis-sentinel.mjs) in a private temporary directory
 * that the orphan reaper stops if the test process dies first.
 */
export async function spawnRedisSentinel(options: { replicas?: number; sentinels?: number } = {}): Promise<DedicatedSentinelSet> {
  const replicas = options.replicas ?? 1;
  const sentinels = options.sentinels ?? 3;
  const dir = claimTempDir('rs');
  const [primaryPort, ...others] = await freePorts(1 + replicas + sentinels);
  let set: SentinelSet;
  try {
    set = await sentinelUp({ dir: join(dir, 'redis'), primaryPort, replicaPorts: others.slice(0, replicas), sentinelPorts: others.slice(replicas) });
  } catch (error) {
    await sentinelDown(join(dir, 'redis')).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const primary = () => sentinelPrimary(set.dir);
  return {
    set,
    env: {
      WALBRIDGE_REDIS_SENTINELS: set.sentinels,
      WALBRIDGE_REDIS_SENTINEL_NAME: set.masterName,
      WALBRIDGE_REDIS_SENTINEL_PASSWORD: set.sentinelPassword,
      WALBRIDGE_REDIS_PASSWORD: set.password,
    },
    primaryPort: primary,
    async killPrimary() {
      const port = await primary();
      if (!port) throw new Error('the Sentinels do not agree on a primary');
      const pid = Number(readFileSync(join(set.dir, `redis-${port}.pid`), 'utf8').trim());
      process.kill(pid, 'SIGKILL');
      return port;
    },
    promotedFrom(formerPort, timeoutMs = 60_000) {
      return waitFor(
        `the Sentinels to promote a replica of ${formerPort}`,
        async () => {
          const port = await primary();
          return port !== null && port !== formerPort ? port : undefined;
        },
        timeoutMs,
        250,
      );
    },
    async cleanup() {
      await sentinelDown(set.dir).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
