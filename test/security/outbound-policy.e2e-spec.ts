import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, PrecheckRunView, TaskLogPage } from '@walbridge/contracts';
import { ApiClient, KafkaFixture, demoDestination, spawnControlPlane, testEnv, type ControlPlane } from '@walbridge/testing';
import { createTask, sharedSource, stopAndForget, type Fixture, type LifecycleTask } from '../lifecycle/lifecycle-fixture';

/**
 * WALBRIDGE_OUTBOUND_DENY applies to every connection the schedulers and workers make on a user's
 * behalf, not only to connection tests and notification channels (issue 14). The shared stack is
 * on loopback, so these schedulers deny 127.0.0.1 (the policy is configurable): without the
 * policy the object picker, the message browser and the precheck would all reach the real
 * source and Kafka, and the worker would stream.
 */
const DENY_LOOPBACK = { WALBRIDGE_OUTBOUND_DENY: '127.0.0.1/32,::1/128,localhost' };

/** A TCP forwarder on 127.0.0.2 (allowed) to the shared broker, which advertises 127.0.0.1 (denied). */
function forwarder(target: { host: string; port: number }): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return new Promise((resolve) => server.listen(0, '127.0.0.2', () => resolve(server)));
}

describe('the outbound policy covers every connection made on a user behalf', () => {
  let plane: ControlPlane;
  let fx: Fixture;
  let task: LifecycleTask;

  beforeAll(async () => {
    // One scheduler with the default policy runs the precheck that lets the task be submitted
    // (a precheck on a denying scheduler fails, as tested below): the policy tightened after.
    plane = await spawnControlPlane({ name: 'outbound' });
    fx = { api: plane.api, kafka: new KafkaFixture(), source: sharedSource };
    task = await createTask(fx);
    await fx.api.passPrecheck(task.id);
    await plane.schedulers[0].kill('SIGTERM');
    await plane.startScheduler(DENY_LOOPBACK);
  }, 240_000);

  afterAll(async () => {
    if (task) await stopAndForget(fx, task.id).catch(() => undefined);
    await plane?.cleanup();
  });

  it("fails the task's worker before it connects, with the reason, and does not retry it", async () => {
    expect((await fx.api.operate(task.id, 'submit')).status).toBe(202);
    const failed = await fx.api.waitForStatus(task.id, 'START_FAILED', 60_000);
    expect(failed.lastError).toContain('127.0.0.1 is refused by the outbound policy (WALBRIDGE_OUTBOUND_DENY)');
    expect(failed.lastError).toContain('resume the task');
    const logs = (await fx.api.request<TaskLogPage>('GET', `/api/v1/tasks/${task.id}/logs?limit=100`)).body.items.map((e) => e.message);
    expect(logs.some((m) => m.includes('WALBRIDGE_OUTBOUND_DENY'))).toBe(true);
    // Nothing was created on the source: the worker never connected.
    const slots = await fx.source.admin().then(async (db) => {
      try {
        return (await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [task.slot])).rowCount;
      } finally {
        await db.end();
      }
    });
    expect(slots).toBe(0);
  });

  it('refuses the object picker and the message browser with a classified 502', async () => {
    const picker = await fx.api.request('GET', `/api/v1/tasks/${task.id}/source-objects`);
    expect(picker.status, JSON.stringify(picker.body)).toBe(502);
    expect(picker.body).toMatchObject({ code: 'SOURCE_UNAVAILABLE', problem: 'outbound-denied', message: expect.stringContaining('WALBRIDGE_OUTBOUND_DENY') });
    const browser = await fx.api.request('GET', `/api/v1/tasks/${task.id}/messages`);
    expect(browser.status, JSON.stringify(browser.body)).toBe(502);
    expect(browser.body).toMatchObject({ code: 'DESTINATION_UNAVAILABLE', problem: 'outbound-denied' });
  });

  it('fails the connectivity items of a precheck with the reason', async () => {
    const run: PrecheckRunView = await fx.api.runPrecheck(task.id);
    const item = (key: string) => run.items.find((i) => i.key === key)!;
    expect(run.result).toBe('FAILED');
    expect(item('source-connectivity')).toMatchObject({ result: 'FAILED', reason: expect.stringContaining('WALBRIDGE_OUTBOUND_DENY') });
    expect(item('kafka-connectivity')).toMatchObject({ result: 'FAILED', reason: expect.stringContaining('WALBRIDGE_OUTBOUND_DENY') });
  });

  it('refuses brokers that a reachable bootstrap broker advertises at a denied address', async () => {
    const [host, port] = [testEnv.kafkaBrokers[0].replace(/:\d+$/, ''), Number(testEnv.kafkaBrokers[0].split(':').pop())];
    const proxy = await forwarder({ host, port });
    try {
      const res = await fx.api.request<ConnectionTestResult>('POST', '/api/v1/connections/test', {
        type: 'destination',
        connection: { brokers: `127.0.0.2:${(proxy.address() as AddressInfo).port}` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ ok: false, problem: 'outbound-denied', message: expect.stringContaining('advertises') });
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });

  it("leaves loopback allowed by default (the shared scheduler's policy)", async () => {
    const shared = new ApiClient();
    for (const [type, connection] of [
      ['source', { host: sharedSource.host, port: sharedSource.port, database: sharedSource.database, username: sharedSource.user, password: sharedSource.password }],
      ['destination', demoDestination()],
    ] as const) {
      const res = await shared.request<ConnectionTestResult>('POST', '/api/v1/connections/test', { type, connection });
      expect(res.body, JSON.stringify(res.body)).toMatchObject({ ok: true });
    }
  });
});
