import { randomBytes } from 'node:crypto';
import { spawn, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its output when it fails (or `allowFailure`). */
export function run(command: string, args: string[], options: SpawnOptions & { input?: string; allowFailure?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  const { input, allowFailure, timeoutMs = 120_000, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout, stderr };
      if (result.code === 0 || allowFailure) resolve(result);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${(stderr || stdout).trim().slice(-3000)}`));
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** A TCP port nobody listens on right now (the OS picks it), for servers a test starts. */
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

/**
 * A KRaft cluster id (16 random bytes, base64url). Never one that starts with '-': the storage
 * tool would take it for an option, and `format -t -abc…` fails (Kafka's own Uuid.randomUuid()
 * avoids those for the same reason).
 */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
