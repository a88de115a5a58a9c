// Types of common.mjs for the TypeScript test helpers (libs/testing).
import type { ChildProcess } from 'node:child_process';

export interface RunToExitResult {
  code: number;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
export function run(
  command: string,
  args: string[],
  options?: { timeoutMs?: number; input?: string; cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean },
): Promise<RunToExitResult>;
export function kafkaClusterId(): string;
export function findJava(): string | null;
export class StackError extends Error {
  service?: string;
  logFile?: string;
}
export type { ChildProcess };
