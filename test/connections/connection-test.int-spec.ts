import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, TaskView } from '@walbridge/contracts';
import { ApiClient, demoDestination, demoSource, freePort, sourceDb, testEnv, uniqueName } from '@walbridge/testing';

const api = new ApiClient();
const demo = demoSource();

/** POST /connections/test, timed at the client: every answer must come within 10 s. */
async function test(body: Record<string, unknown>): Promise<ConnectionTestResult> {
  const started = Date.now();
  const res = await api.request<ConnectionTestResult>('POST', '/api/v1/connections/test', body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Date.now() - started).toBeLessThan(10_000);
  return res.body;
}

describe('POST /connections/test, source', () => {
  const noLogin = uniqueName('wbtest_nologin');
  let silent: Server;
  let silentPort: number;

  beforeAll(async () => {
    const db = await sourceDb();
    try {
      await db.query(`CREATE ROLE ${noLogin} NOLOGIN PASSWORD 'nologin-pw'`);
    } finally {
      await db.end();
    }
    // Accepts TCP connections and never says a word: not a PostgreSQL server.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    silent?.close();
    const db = await sourceDb();
    try {
      await db.query(`DROP ROLE IF EXISTS ${noLogin}`);
    } finally {
      await db.end();
    }
  });

  it('connects and reports the server version', async () => {
    const result = await test({ type: 'source', ...demo });
    expect(result).toMatchObject({ target: 'source', ok: true, source: { versionNum: expect.any(Number), inRecovery: false, ssl: false } });
    expect(result.source!.version).toMatch(/^\d+\.\d+/);
    expect(result.message).toContain(`PostgreSQL ${result.source!.version}`);
    expect(result).not.toHaveProperty('problem');
  });

  it('tells a bad password from a role without LOGIN', async () => {
    expect(await test({ type: 'source', ...demo, password: 'definitely-wrong' })).toMatchObject({
      ok: false,
      problem: 'bad-password',
      message: 'password authentication failed for user demo',
    });
    expect(await test({ type: 'source', ...demo, username: noLogin, password: 'nologin-pw' })).toMatchObject({
      ok: false,
      problem: 'no-login',
      suggestion: `ALTER ROLE "${noLogin}" WITH LOGIN;`,
    });
  });

  it('tells a refused port from an unknown host, an unreachable one and a silent one', async () => {
    const closed = await freePort();
    expect(await test({ type: 'source', ...demo, port: closed })).toMatchObject({ ok: false, problem: 'refused', message: expect.stringContaining(`nothing listens on port ${closed}`) });
    expect(await test({ type: 'source', ...demo, host: 'no-such-db.invalid' })).toMatchObject({ ok: false, problem: 'dns' });
    // 100::/64 is the IPv6 discard prefix: no route leads there.
    expect(await test({ type: 'source', ...demo, host: '100::1' })).toMatchObject({ ok: false, problem: 'unreachable' });
    expect(await test({ type: 'source', ...demo, port: silentPort })).toMatchObject({ ok: false, problem: 'timeout' });
  });

  it('tells a server without SSL and a missing database', async () => {
    expect(await test({ type: 'source', ...demo, sslMode: 'require' })).toMatchObject({ ok: false, problem: 'ssl-unsupported' });
    expect(await test({ type: 'source', ...demo, database: 'no_such_database' })).toMatchObject({ ok: false, problem: 'database-missing' });
  });

  it('refuses an invalid connection with 400 naming the fields', async () => {
    const res = await api.request('POST', '/api/v1/connections/test', { type: 'source', host: 'db', port: 0 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      details: expect.arrayContaining([
        { field: 'port', message: 'port must be 1-65535' },
        { field: 'database', message: 'database is required' },
      ]),
    });
    expect((await api.request('POST', '/api/v1/connections/test', { type: 'oracle' })).status).toBe(400);
  });
});

describe('POST /connections/test, destination', () => {
  it('connects and reports the broker version (ApiVersions) and the broker count', async () => {
    const result = await test({ type: 'destination', ...demoDestination() });
    expect(result).toMatchObject({ ok: true, destination: { brokerCount: 1, brokers: [{ nodeId: expect.any(Number), port: Number(testEnv.kafkaBrokers[0].split(':')[1]) }] } });
    // The stack runs Kafka 3.9: its API set is at least that of 3.8.
    expect(Number(result.destination!.brokerVersion)).toBeGreaterThanOrEqual(3.8);
  });

  it('says that no broker is reachable, naming each', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const result = await test({ type: 'destination', brokers: `127.0.0.1:${a},127.0.0.1:${b}` });
    expect(result).toMatchObject({ ok: false, problem: 'refused' });
    expect(result.message).toMatch(new RegExp(`^no Kafka broker is reachable: 127.0.0.1:${a} refused .*; 127.0.0.1:${b} refused`));
    expect(await test({ type: 'destination', brokers: 'no-such-broker.invalid:9092' })).toMatchObject({ ok: false, problem: 'dns' });
  });

  it('says when the listener does not speak the configured protocol', async () => {
    const sasl = await test({ type: 'destination', ...demoDestination({ securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'PLAIN', username: 'u', password: 'p' }) });
    expect(sasl).toMatchObject({ ok: false, problem: 'protocol', message: expect.stringContaining('does not expect SASL') });
    const tls = await test({ type: 'destination', ...demoDestination({ securityProtocol: 'SSL' }) });
    expect(tls).toMatchObject({ ok: false, problem: 'protocol' });
  });
});

describe('POST /tasks/{id}/test-connection', () => {
  let task: TaskView;

  beforeAll(async () => {
    task = await api.createTask({
      name: uniqueName('conn').replace(/_/g, '-'),
      source: demo,
      destination: demoDestination(),
      policy: { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'walbridge-demo' } },
    });
  });

  it('tests the saved source and destination, with the saved password', async () => {
    const source = await api.request<ConnectionTestResult>('POST', `/api/v1/tasks/${task.id}/test-connection?target=source`);
    expect(source.status).toBe(200);
    expect(source.body).toMatchObject({ target: 'source', ok: true });
    const destination = await api.request<ConnectionTestResult>('POST', `/api/v1/tasks/${task.id}/test-connection?target=destination`);
    expect(destination.body).toMatchObject({ target: 'destination', ok: true, destination: { brokerCount: 1 } });
  });

  it('needs a target, and a task that exists', async () => {
    const missing = await api.request('POST', `/api/v1/tasks/${task.id}/test-connection`);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ details: [{ field: 'target', message: 'target must be source or destination' }] });
    expect((await api.request('POST', `/api/v1/tasks/00000000-0000-4000-8000-000000000000/test-connection?target=source`)).status).toBe(404);
  });
});
