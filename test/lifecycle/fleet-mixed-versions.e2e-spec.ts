import { fork, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, QueueName, TaskControlJob } from '@walbridge/queue';
import { KafkaFixture, REPO_ROOT, parentPid, spawnControlPlane, testEnv, workerPid, type ControlPlane, type ManagedProcess } from '@walbridge/testing';
import { expectTopicRebuildsTable, steadyTicker } from './fleet-fixture';
import { createTask, sharedSource, sleep, stopAndForget, waitFor, type Fixture, type LifecycleTask } from './lifecycle-fixture';

/**
 * Issue 19 item 5, a rolling upgrade: the previous release's scheduler (the commit in
 * .release/previous, built once by tools/previous-release.mjs and cached) runs on this
 * release's schema (this release's migrations, the api of this release), streams a task end to
 * end, and runs side by side with a scheduler of this release, which then takes its task over
 * when it is stopped. This release refuses, with a log line naming both versions, a job of a
 * newer protocol and a worker start message it cannot read, and keeps running.
 */
describe("a rolling upgrade: the previous release's scheduler on this release's schema, next to this release's", () => {
  let plane: ControlPlane;
  let fx: Fixture;
  let old: ManagedProcess;
  let fresh: ManagedProcess;
  let oldRoot: string;
  const tasks: LifecycleTask[] = [];
  const tickers: ReturnType<typeof steadyTicker>[] = [];
  const ownerPid = (task: LifecycleTask) => {
    const pid = workerPid(task.id);
    return pid ? parentPid(pid) : null;
  };
  const logOf = (p: ManagedProcess) => readFileSync(join(testEnv.logDir, `${p.name}.log`), 'utf8');

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'tools', 'previous-release.mjs')], { encoding: 'utf8', timeout: 600_000 });
    if (built.status !== 0) throw new Error(`building the previous release: ${built.stderr}`);
    oldRoot = built.stdout.trim();
    plane = await spawnControlPlane({ name: 'mixed', schedulers: 0, env: { WALBRIDGE_SCHEDULER_HEARTBEAT_MS: '1000' } });
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    old = await plane.startScheduler({}, oldRoot);
  }, 700_000);

  afterAll(async () => {
    await Promise.all(tickers.map((t) => t.stop().catch(() => undefined)));
    if (plane) {
      for (const t of tasks) await stopAndForget(fx, t.id).catch(() => undefined);
      await plane.cleanup();
    }
  }, 180_000);

  it("the previous release's scheduler streams a task on this release's schema", async () => {
    const task = await createTask(fx, { start: true });
    tasks.push(task);
    tickers.push(steadyTicker(fx.source, task.table));
    expect(ownerPid(task)).toBe(old.pid);
    // Its worker is the previous release's too.
    expect(readFileSync(`/proc/${workerPid(task.id)}/cmdline`, 'utf8')).toContain(oldRoot);
  });

  it('a scheduler of this release joins and runs the next task; each streams with its own release', async () => {
    fresh = await plane.startScheduler();
    await waitFor('both schedulers in the fleet view', async () => {
      const { body } = await plane.api.request<{ items: unknown[] }>('GET', '/api/v1/schedulers');
      return body.items.length === 2 ? true : undefined;
    }, 30_000, 200);
    const task = await createTask(fx, { start: true });
    tasks.push(task);
    tickers.push(steadyTicker(fx.source, task.table));
    expect(ownerPid(task), 'the least loaded scheduler: the new one').toBe(fresh.pid);
    expect(ownerPid(tasks[0])).toBe(old.pid);
    await sleep(2000);
  });

  it("the previous release's scheduler stops (SIGTERM, exit 0) and this release's takes its task over; nothing lost", async () => {
    await old.kill('SIGTERM');
    expect(old.child.exitCode).toBe(0);
    await waitFor('the first task streaming under the new scheduler', async () => (ownerPid(tasks[0]) === fresh.pid ? true : undefined), 60_000, 250);
    await sleep(2000);
    await Promise.all(tickers.splice(0).map((t) => t.stop()));
    for (const task of tasks) await expectTopicRebuildsTable(task);
  });

  it('this release refuses a job of a newer protocol with a log line naming both versions, and keeps running', async () => {
    const connection = new IORedis(testEnv.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.TaskControl, { connection, prefix: plane.queuePrefix });
    try {
      const job = await queue.add(TaskControlJob.StopTask, { taskId: tasks[1].id, requestedBy: 'a newer api', force: false, v: PROTOCOL_VERSION + 1 });
      const line = await waitFor(
        'the refusal in the scheduler log',
        async () => logOf(fresh).split('\n').find((l) => l.includes(`job stop-task (id ${job.id}) carries protocol v${PROTOCOL_VERSION + 1}, newer than this scheduler understands`)),
        30_000,
        250,
      );
      expect(line).toContain(`this scheduler speaks protocol v${PROTOCOL_VERSION}`);
      expect(line).toContain('upgrade this scheduler');
      // Put back for a scheduler of that release, not run: the task still streams.
      expect(await queue.getJobState(job.id!)).toBe('delayed');
      expect((await plane.api.task(tasks[1].id)).status).toBe('INCREMENTAL');
      expect(fresh.alive()).toBe(true);
      await (await queue.getJob(job.id!))?.remove();
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('a worker of this release refuses a start message of a newer protocol: it reports why and exits, no crash', async () => {
    const worker = fork(require.resolve('@walbridge/worker'), ['--task=protocol-check', '--mode=stream'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const messages: { type: string; message?: string }[] = [];
    worker.on('message', (m: { type: string }) => messages.push(m));
    const exit = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.send({ type: 'start', mode: 'stream', config: {}, v: PROTOCOL_VERSION + 7 });
    expect(await exit).toBe(1);
    expect(messages).toEqual([
      expect.objectContaining({
        type: 'failed',
        kind: 'other',
        v: PROTOCOL_VERSION,
        message: expect.stringContaining(`carries protocol v${PROTOCOL_VERSION + 7}, newer than this worker understands (this worker speaks protocol v${PROTOCOL_VERSION}`),
      }),
    ]);
  });
});
