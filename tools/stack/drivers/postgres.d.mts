// Types of postgres.mjs for the TypeScript test helpers (libs/testing).
import type { RunToExitResult } from './common.mjs';

export interface PostgresConfig {
  host: string;
  port: number;
  dir: string;
  dataDir: string;
  socketDir: string;
  logFile: string;
  osUser: string;
  listenAddresses?: string[];
  settings?: Record<string, string>;
  hba?: string[];
  initdbUser?: { user: string; password?: string };
  ssl?: { certFile: string; keyFile: string };
  traverseParents?: boolean;
}
export interface PostgresTools {
  pgBin: string;
  runuser?: string;
}
type Log = (line: string) => void;
export function postgresClusterConfig(options: Omit<PostgresConfig, 'dataDir' | 'socketDir' | 'logFile' | 'osUser' | 'host'> & { host?: string }): PostgresConfig;
export function postgresTools(pg: PostgresConfig): Promise<PostgresTools>;
export function postgresUp(pg: PostgresConfig, tools: PostgresTools, log?: Log): Promise<void>;
export function postgresDown(pg: PostgresConfig, tools: PostgresTools, log?: Log, options?: { mode?: 'fast' | 'immediate' }): Promise<boolean>;
export function postgresPid(pg: PostgresConfig): number | null;
export function pgRun(pg: PostgresConfig, tools: PostgresTools, bin: string, args: string[], options?: { timeoutMs?: number; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<RunToExitResult>;
export function giveToOwner(pg: PostgresConfig, path: string): Promise<void>;
export const STACK_SETTINGS: Readonly<Record<string, string>>;
export function pgConfigText(pg: PostgresConfig): string;
export function pgHbaText(pg: PostgresConfig): string;
