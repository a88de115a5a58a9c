import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionTestResult, TaskView } from '@walbridge/contracts';
import { ApiClient, demoSource, sourceDb, startExtraKafka, testEnv, uniqueName, type ExtraKafka } from '@walbridge/testing';

const api = new ApiClient();

// A broker of its own with a SASL/PLAIN listener, ACLs and auto.create.topics.enable=true: what
// the shared stack's PLAINTEXT broker cannot show (a refused login, a denied topic creation, a
// broker that creates topics by itself). "admin" is a super user, "alice" has no ACL at all.
describe('against a SASL Kafka broker with ACLs that creates topics on its own', () => {
  let kafka: ExtraKafka;
  const users = { admin: 'admin-pw', alice: 'alice-pw' };
  const destination = () => ({ brokers: kafka.brokers, securityProtocol: 'SASL_PLAINTEXT' as const, saslMechanism: 'PLAIN' as const, username: 'alice', password: users.alice });

  beforeAll(async () => {
    kafka = await startExtraKafka({ saslUsers: users, autoCreateTopics: true, authorizer: true });
  }, 180_000);

  afterAll(async () => {
    await kafka?.stop();
  }, 60_000);

  async function testDestination(over: Record<string, unknown>): Promise<ConnectionTestResult> {
    const started = Date.now();
    const res = await api.request<ConnectionTestResult>('POST', '/api/v1/connections/test', { type: 'destination', ...destination(), ...over });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    return res.body;
  }

  it('tells a refused login from a broker that is not reachable', async () => {
    expect(await testDestination({})).toMatchObject({ ok: true, destination: { brokerCount: 1 } });
    const refused = await testDestination({ password: 'not-alice' });
    expect(refused).toMatchObject({ ok: false, problem: 'auth-failed', message: expect.stringContaining('Kafka authentication failed for user alice') });
    expect(refused.message).not.toContain('not-alice');
    expect(await testDestination({ brokers: '127.0.0.1:1' })).toMatchObject({ ok: false, problem: 'refused', message: expect.stringContaining('no Kafka broker is reachable') });
  });

  describe('precheck', () => {
    let task: TaskView;
    let table: string;

    beforeAll(async () => {
      table = uniqueName('t');
      const db = await sourceDb();
      try {
        await db.query(`CREATE TABLE shop.${table} (id int PRIMARY KEY)`);
        await db.query(`ALTER TABLE shop.${table} OWNER TO ${testEnv.sourceUser}`);
      } finally {
        await db.end();
      }
      task = await api.createTask({
        name: uniqueName('sasl').replace(/_/g, '-'),
        source: demoSource(),
        destination: { ...destination(), username: 'admin', password: 'wrong-at-first' },
        policy: { tables: [{ schema: 'shop', table }], topicPolicy: { mode: 'auto', nameFormat: 'wbtest.$schema$.$tablename$' } },
      });
    });

    afterAll(async () => {
      const db = await sourceDb();
      try {
        await db.query(`DROP TABLE IF EXISTS shop.${table}`);
      } finally {
        await db.end();
      }
    });

    it('fails Kafka connectivity on a refused login', async () => {
      const run = await api.runPrecheck(task.id);
      const item = run.items.find((i) => i.key === 'kafka-connectivity')!;
      expect(item).toMatchObject({ result: 'FAILED', reason: expect.stringContaining('Kafka authentication failed for user admin') });
      expect(item.suggestion).toMatch(/check the user name, the password and the SASL mechanism/);
    });

    it('tests a typed SASL password with the task’s other saved settings before it is saved, and keeps the saved one until then', async () => {
      const path = `/api/v1/tasks/${task.id}/test-connection?target=destination`;
      const typed = (password: string) => api.request<ConnectionTestResult>('POST', path, { destination: { password } });
      const wrong = await typed('still-wrong');
      expect(wrong.status).toBe(200);
      expect(wrong.body).toMatchObject({ ok: false, problem: 'auth-failed', message: expect.stringContaining('Kafka authentication failed for user admin') });
      expect(JSON.stringify(wrong.body)).not.toContain('still-wrong');
      expect((await typed(users.admin)).body).toMatchObject({ ok: true, destination: { brokerCount: 1 } });
      // Nothing was saved by the test: the task's own password is still the wrong one.
      expect((await api.request<ConnectionTestResult>('POST', path)).body).toMatchObject({ ok: false, problem: 'auth-failed' });
    });

    it('with the password fixed: alarms on auto.create.topics.enable, validates the topic without creating it', async () => {
      expect((await api.request('PATCH', `/api/v1/tasks/${task.id}`, { destination: { password: users.admin } })).status).toBe(200);
      const run = await api.runPrecheck(task.id);
      const byKey = Object.fromEntries(run.items.map((i) => [i.key, i]));
      expect(byKey['kafka-connectivity'].result).toBe('PASSED');
      expect(byKey['kafka-auto-create']).toMatchObject({
        result: 'ALARM',
        suggestion: 'set auto.create.topics.enable=false in the server.properties of every broker, then restart the brokers',
      });
      expect(byKey['kafka-topics'].result).toBe('PASSED');
      const admin = new Kafka({ clientId: 'wbtest', brokers: [kafka.brokers], logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'admin', password: users.admin } }).admin();
      await admin.connect();
      try {
        expect(await admin.listTopics()).not.toContain(`wbtest.shop.${table}`);
      } finally {
        await admin.disconnect();
      }
    });

    it('for a user without ACLs: topic creation is denied with what to grant, and the broker setting cannot be read', async () => {
      const denied = await api.createTask({
        name: uniqueName('acl').replace(/_/g, '-'),
        source: demoSource(),
        destination: destination(),
        policy: { tables: [{ schema: 'shop', table }], topicPolicy: { mode: 'auto', nameFormat: 'wbtest.$schema$.$tablename$' } },
      });
      const run = await api.runPrecheck(denied.id);
      const byKey = Object.fromEntries(run.items.map((i) => [i.key, i]));
      expect(byKey['kafka-connectivity'].result).toBe('PASSED');
      expect(byKey['kafka-topics']).toMatchObject({
        result: 'FAILED',
        reason: expect.stringContaining(`topic wbtest.shop.${table} cannot be created: TOPIC_AUTHORIZATION_FAILED`),
        suggestion: "grant the task's Kafka user Create on these topics (or on the cluster)",
        affectedObjects: [`topic wbtest.shop.${table}`],
      });
      expect(byKey['kafka-auto-create']).toMatchObject({ result: 'ALARM', reason: expect.stringContaining('auto.create.topics.enable could not be read') });
    });
  });
});
