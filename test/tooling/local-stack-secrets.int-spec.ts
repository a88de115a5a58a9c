import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult } from '@walbridge/contracts';
import { REPO_ROOT, demoDestination, freePorts, run, spawnControlPlane, testEnv, type ControlPlane } from '@walbridge/testing';

interface StackConfig {
  stackDir: string;
  keyDir: string;
  masterKeyFile: string;
  postgres: { dir: string };
  redis: { url: string; password: string | null; passwordFile: string; configFile: string; logFile: string; port: number };
}

/** The first reply of a Redis server to PING sent without a password. */
function pingWithoutPassword(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().trim());
    });
    socket.once('error', reject);
  });
}

/**
 * The local stack's secrets (issue 14 item 8): the master key outside the directory of the
 * database files, and Redis with a password that every client carries and no log shows. A
 * stack of the test's own (Redis only, its own directory and ports): the shared one runs as
 * older versions left it, without a password, and must keep working (see the last test).
 */
describe('local stack secrets', () => {
  let base: string;
  let env: NodeJS.ProcessEnv;
  let config: StackConfig;
  let plane: ControlPlane | undefined;

  // `status` exits 1 while a service is down (here PostgreSQL and Kafka are never started).
  const stack = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'tools/stack/stack.mjs'), ...args], { env, cwd: REPO_ROOT, timeoutMs: 60_000, allowFailure: args[0] === 'status' });

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'wb-stack-'));
    const [pg, redis, kafka, controller] = await freePorts(4);
    env = {
      ...process.env,
      WALBRIDGE_STACK_DIR: join(base, 'stack'),
      WALBRIDGE_PG_PORT: String(pg),
      WALBRIDGE_REDIS_PORT: String(redis),
      WALBRIDGE_KAFKA_PORT: String(kafka),
      WALBRIDGE_KAFKA_CONTROLLER_PORT: String(controller),
    };
    delete env.WALBRIDGE_KEY_DIR;
    // An install of an older version: its master key beside the database files.
    const stackDir = join(base, 'stack');
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(join(stackDir, 'master.key'), 'bGVnYWN5LWtleS1sZWdhY3kta2V5LWxlZ2FjeS1rZXk=\n', { mode: 0o600 });
    await stack('up', 'redis', '--quiet');
    config = JSON.parse((await stack('config')).stdout) as StackConfig;
  }, 120_000);

  afterAll(async () => {
    await plane?.cleanup();
    await stack('down', 'redis', '--quiet').catch(() => undefined);
    rmSync(base, { recursive: true, force: true });
  });

  it('keeps the keys outside the stack directory, private to the user', () => {
    expect(relative(config.stackDir, config.keyDir).startsWith('..')).toBe(true);
    expect(relative(config.postgres.dir, config.masterKeyFile).startsWith('..')).toBe(true);
    expect(config.masterKeyFile.startsWith(`${config.keyDir}/`)).toBe(true);
    expect(statSync(config.keyDir).mode & 0o777).toBe(0o700);
    expect(statSync(config.redis.passwordFile).mode & 0o777).toBe(0o600);
  });

  it("moves an older version's master key out of the stack directory, so its secrets still open", async () => {
    const moved = await run(process.execPath, ['-e', "import('./tools/stack/stack.mjs').then((s) => console.log(s.ensureMasterKeyFile()))"], { env, cwd: REPO_ROOT });
    expect(moved.stdout.trim()).toBe(config.masterKeyFile);
    expect(readFileSync(config.masterKeyFile, 'utf8')).toBe('bGVnYWN5LWtleS1sZWdhY3kta2V5LWxlZ2FjeS1rZXk=\n');
    expect(existsSync(join(config.stackDir, 'master.key'))).toBe(false);
    expect(statSync(config.masterKeyFile).mode & 0o777).toBe(0o600);
  });

  it('starts Redis with a password: refused without it, and never written in the stack directory or its output', async () => {
    expect(config.redis.password).toMatch(/^[A-Za-z0-9_-]{24,}$/);
    expect(config.redis.url).toBe(`redis://:${config.redis.password}@127.0.0.1:${config.redis.port}`);
    expect(await pingWithoutPassword(config.redis.port)).toMatch(/^-NOAUTH/);
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    for (const file of files(config.stackDir)) expect(readFileSync(file, 'latin1').includes(config.redis.password!), file).toBe(false);
    const status = await stack('status');
    expect(status.stdout).toContain(`redis://:***@127.0.0.1:${config.redis.port}`);
    expect(status.stdout + status.stderr).not.toContain(config.redis.password);
  });

  it('runs api and scheduler through the password-protected Redis (queues, login limits), and no log shows the password', async () => {
    plane = await spawnControlPlane({ name: 'redispw', schedulers: 1, redisUrl: config.redis.url });
    const res = await plane.api.request<ConnectionTestResult>('POST', '/api/v1/connections/test', { type: 'destination', connection: demoDestination() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.ok).toBe(true);
    await plane.cleanup();
    plane = undefined;
    const logs = readdirSync(testEnv.logDir).filter((f) => f.startsWith('redispw-'));
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const log of logs) expect(readFileSync(join(testEnv.logDir, log), 'utf8').includes(config.redis.password!), log).toBe(false);
  });

  it('leaves a Redis started without a password (by an older version) running as it is, with a URL without one', async () => {
    await stack('down', 'redis', '--quiet');
    const legacyConfig = readFileSync(config.redis.configFile, 'utf8').replace(/^include .*$/m, '');
    const legacyFile = join(base, 'legacy-redis.conf');
    writeFileSync(legacyFile, legacyConfig);
    rmSync(config.keyDir, { recursive: true, force: true });
    await run('redis-server', [legacyFile]);
    const up = await stack('up', 'redis');
    expect(up.stdout).toContain('redis: already running');
    const now = JSON.parse((await stack('config')).stdout) as StackConfig;
    expect(now.redis.url).toBe(`redis://127.0.0.1:${config.redis.port}`);
    expect(await pingWithoutPassword(config.redis.port)).toBe('+PONG');
    expect(existsSync(now.redis.passwordFile)).toBe(false);
  });
});
