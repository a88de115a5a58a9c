import { createServer } from 'node:net';
import { run as runToExit } from '../../../tools/stack/drivers/common.mjs';

export { kafkaClusterId } from '../../../tools/stack/drivers/common.mjs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion; rejects with its output when it fails (unless `allowFailure`).
 * The stack's own runner (tools/stack/drivers/common.mjs): it also returns when a daemon the
 * command started (pg_ctl, redis-server) keeps its pipes open.
 */
export async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  const { allowFailure, timeoutMs = 120_000, ...rest } = options;
  const { code, signal, stdout, stderr } = await runToExit(command, args, { timeoutMs, ...rest });
  if (code === 0 || allowFailure) return { code, stdout, stderr };
  throw new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${(stderr || stdout).trim().slice(-3000)}`);
}

/**
 * Ports for the servers a test starts are drawn below Linux's ephemeral range (32768-60999):
 * a port the kernel hands out for listen(0) is one any outgoing connection may take as its local
 * port before the server binds it (a control plane once failed with EADDRINUSE that way).
 */
const PORT_RANGE = { min: 20_000, max: 32_000 } as const;
const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on, never handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORT_RANGE.min + Math.floor(Math.random() * (PORT_RANGE.max - PORT_RANGE.min));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${PORT_RANGE.min} and ${PORT_RANGE.max}`);
}

/** Every child a test started dies with the test process, even when the test is cut short. */
const children = new Set<import('node:child_process').ChildProcess>();
let hooked = false;

export function killOnExit(child: import('node:child_process').ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of children) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** Runs `cleanup` synchronously when the test process exits (servers that outlive their parent). */
export function onProcessExit(cleanup: () => void): void {
  process.once('exit', cleanup);
}
