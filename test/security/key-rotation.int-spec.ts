import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, TaskView } from '@walbridge/contracts';
import { REPO_ROOT, demoDestination, demoSource, spawnControlPlane, uniqueName, type ControlPlane } from '@walbridge/testing';

describe('master key rotation (npm run secrets:rotate-key)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-key-'));
  const keyFile = join(dir, 'master.key');
  let plane: ControlPlane;

  beforeAll(async () => {
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    plane = await spawnControlPlane({ name: 'rotate', masterKeyFile: keyFile });
  });

  afterAll(async () => {
    await plane?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-seals every stored secret with a new key: the old key no longer opens them, the new one does', async () => {
    const task = await plane.api.createTask({
      name: uniqueName('rotate'),
      source: demoSource(),
      destination: demoDestination(),
      policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'unused' } },
    });
    const saved = await plane.api.request<{ id: string }>('POST', '/api/v1/connections', { type: 'source', name: uniqueName('rotate'), connection: demoSource() });
    expect(saved.status).toBe(201);
    const before = await plane.metadataQuery<{ secrets: Buffer }>('SELECT secrets FROM task WHERE id = $1', [task.id]);
    const oldKey = readFileSync(keyFile, 'utf8');
    await Promise.all([plane.apiProcess.kill('SIGTERM'), ...plane.schedulers.map((s) => s.kill('SIGTERM'))]);

    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'migrations', 'dist', 'cli.js'), 'rotate-key'], {
      env: { PATH: process.env.PATH, WALBRIDGE_DATABASE_URL: plane.databaseUrl, WALBRIDGE_MASTER_KEY_FILE: keyFile },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('re-sealed the secrets of 1 task(s), 0 channel(s) and 1 saved connection(s)');
    expect(readFileSync(keyFile, 'utf8')).not.toBe(oldKey);
    expect(readFileSync(`${keyFile}.previous`, 'utf8')).toBe(oldKey);
    const after = await plane.metadataQuery<{ secrets: Buffer }>('SELECT secrets FROM task WHERE id = $1', [task.id]);
    expect(after[0].secrets.equals(before[0].secrets)).toBe(false);

    await plane.restartApi();
    await plane.startScheduler();
    const test = await plane.api.request<ConnectionTestResult>('POST', `/api/v1/tasks/${(task as TaskView).id}/test-connection?target=source`);
    expect(test.body, JSON.stringify(test.body)).toMatchObject({ ok: true });
    // A saved connection's password opens with the new key too.
    const savedTest = await plane.api.request<ConnectionTestResult>('POST', `/api/v1/connections/${saved.body.id}/test`);
    expect(savedTest.body, JSON.stringify(savedTest.body)).toMatchObject({ ok: true });
  });
});
