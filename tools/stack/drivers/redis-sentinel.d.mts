// Types of redis-sentinel.mjs for the TypeScript test helpers (libs/testing).

export interface SentinelSetOptions {
  dir: string;
  primaryPort: number;
  replicaPorts: number[];
  sentinelPorts: number[];
  masterName?: string;
  password?: string;
  sentinelPassword?: string;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
}

export interface SentinelSet {
  dir: string;
  masterName: string;
  password: string;
  sentinelPassword: string;
  primaryPort: number;
  replicaPorts: number[];
  sentinelPorts: number[];
  /** host:port,host:port: the value of WALBRIDGE_REDIS_SENTINELS. */
  sentinels: string;
  pids: Record<string, number | null>;
}

export function sentinelUp(options: SentinelSetOptions, log?: (line: string) => void): Promise<SentinelSet>;
export function sentinelDown(dir: string): Promise<number>;
export function sentinelSet(dir: string): SentinelSet;
export function sentinelPrimary(dir: string): Promise<number | null>;
export function sentinelView(
  port: number,
  set: { masterName: string; sentinelPassword: string },
): Promise<{ address: string; status: string; replicas: number; sentinels: number } | null>;
