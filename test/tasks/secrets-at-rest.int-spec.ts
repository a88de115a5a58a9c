import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '@walbridge/contracts';
import { ApiClient, createTopic, demoDestination, demoSource, metadataDb, sourceDb, testEnv, uniqueName, waitFor, workerPid } from '@walbridge/testing';

const api = new ApiClient();
const marker = () => `wbSecret-${randomBytes(8).toString('hex')}`;

// Credentials that must never be readable anywhere but in the request that set them.
const sourcePassword = marker();
const saslPassword = marker();
const clientKeyBody = marker();
const wrongPassword = marker();
const SECRETS = [sourcePassword, saslPassword, clientKeyBody, wrongPassword];

const clientKey = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(clientKeyBody).toString('base64')}${clientKeyBody}\n-----END PRIVATE KEY-----`;
const clientCert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) {
    for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) {
      expect(text.includes(form), `${where} contains a credential (${form === secret ? 'clear' : 'encoded'})`).toBe(false);
    }
  }
}

describe('credentials at rest', () => {
  const role = uniqueName('wbtest_sec');
  const table = uniqueName('t');
  const topic = uniqueName('wbtest');
  let streaming: TaskView;
  let kafkaTask: TaskView;

  beforeAll(async () => {
    const db = await sourceDb();
    try {
      await db.query(`CREATE ROLE ${role} LOGIN REPLICATION PASSWORD '${sourcePassword}'`);
      await db.query(`GRANT CREATE, CONNECT ON DATABASE ${testEnv.sourceDatabase} TO ${role}`);
      await db.query(`GRANT USAGE ON SCHEMA shop TO ${role}`);
      await db.query(`CREATE TABLE shop.${table} (id int PRIMARY KEY, v text)`);
      await db.query(`ALTER TABLE shop.${table} OWNER TO ${role}`);
    } finally {
      await db.end();
    }
    await createTopic(topic);
  });

  afterAll(async () => {
    if (streaming) {
      await api.operate(streaming.id, 'stop');
      await api.waitForStatus(streaming.id, 'COMPLETED', 90_000).catch(() => undefined);
    }
    const db = await sourceDb();
    try {
      await db.query(`DROP TABLE IF EXISTS shop.${table}`);
      await db.query(`DROP OWNED BY ${role}`);
      await db.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await db.end();
    }
  });

  it('are used (connection test, precheck, a streaming worker) but never returned', async () => {
    const source = demoSource({ username: role, password: sourcePassword });
    const tested = await api.request('POST', '/api/v1/connections/test', { type: 'source', ...source });
    expect(tested.body).toMatchObject({ ok: true });
    const refused = await api.request('POST', '/api/v1/connections/test', { type: 'source', ...source, password: wrongPassword });
    expect(refused.body).toMatchObject({ ok: false, problem: 'bad-password' });
    expectNoSecret(JSON.stringify(refused.body), 'a connection test answer');
    const sasl = await api.request('POST', '/api/v1/connections/test', {
      type: 'destination',
      ...demoDestination({ securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'SCRAM-SHA-512', username: 'nobody', password: saslPassword }),
    });
    expect(sasl.body).toMatchObject({ ok: false });
    expectNoSecret(JSON.stringify(sasl.body), 'a connection test answer');

    streaming = await api.createTask({
      name: `sec-${table}`.replace(/_/g, '-').slice(0, 50),
      source,
      destination: demoDestination(),
      policy: { slotName: uniqueName('wbtest'), tables: [{ schema: 'shop', table }], topicPolicy: { mode: 'specific', topic } },
    });
    expect(streaming.source).toMatchObject({ passwordSet: true });
    expect(streaming.source).not.toHaveProperty('password');
    await api.passPrecheck(streaming.id);
    expect((await api.operate(streaming.id, 'submit')).status).toBe(202);
    await api.waitForStatus(streaming.id, 'INCREMENTAL', 90_000);

    // The worker got them over IPC: not in its command line, not in its environment.
    const pid = await waitFor('the worker process', async () => workerPid(streaming.id) ?? undefined);
    expectNoSecret(readFileSync(`/proc/${pid}/cmdline`, 'latin1'), 'the worker command line');
    expectNoSecret(readFileSync(`/proc/${pid}/environ`, 'latin1'), 'the worker environment');

    kafkaTask = await api.createTask({
      name: `sec-k-${table}`.replace(/_/g, '-').slice(0, 50),
      source: { ...source, password: wrongPassword },
      destination: demoDestination({ securityProtocol: 'SASL_SSL', saslMechanism: 'PLAIN', username: 'nobody', password: saslPassword, clientCert, clientKey }),
      policy: { tables: [{ schema: 'shop', table }], topicPolicy: { mode: 'specific', topic } },
    });
    expect(kafkaTask.destination).toMatchObject({ passwordSet: true, clientKeySet: true });
    expect(kafkaTask.destination).not.toHaveProperty('clientKey');
    const run = await api.runPrecheck(kafkaTask.id);
    expect(run.result).toBe('FAILED');
    for (const view of [streaming, kafkaTask, await api.task(kafkaTask.id), run, (await api.request('GET', '/api/v1/tasks?pageSize=100')).body]) {
      expectNoSecret(JSON.stringify(view), 'an API answer');
    }
  });

  it('are stored only as AES-256-GCM ciphertext in the metadata row', async () => {
    const db = await metadataDb();
    try {
      for (const id of [streaming.id, kafkaTask.id]) {
        const { rows } = await db.query<{ config: string; secrets: Buffer }>(`SELECT config::text AS config, secrets FROM task WHERE id = $1`, [id]);
        expectNoSecret(rows[0].config, 'task.config');
        const sealed = rows[0].secrets;
        expect(sealed[0]).toBe(2); // (2: bound to the record and its endpoints) format version, then 12-byte IV, 16-byte tag, ciphertext
        expect(sealed.length).toBeGreaterThan(1 + 12 + 16);
        for (const encoding of ['latin1', 'utf8', 'hex', 'base64'] as const) expectNoSecret(sealed.toString(encoding), `task.secrets (${encoding})`);
      }
      const logs = await db.query<{ message: string }>(`SELECT message FROM task_log WHERE task_id = ANY($1)`, [[streaming.id, kafkaTask.id]]);
      expect(logs.rows.length).toBeGreaterThan(0);
      expectNoSecret(logs.rows.map((r) => r.message).join('\n'), 'task_log');
      const items = await db.query<{ text: string }>(
        `SELECT concat_ws(' ', i.reason, i.suggestion, i.affected_objects::text) AS text
           FROM precheck_item i JOIN precheck_run r ON r.id = i.run_id WHERE r.task_id = ANY($1)`,
        [[streaming.id, kafkaTask.id]],
      );
      expectNoSecret(items.rows.map((r) => r.text).join('\n'), 'precheck items');
    } finally {
      await db.end();
    }
  });

  it('are wiped when the task is deleted', async () => {
    expect((await api.request('DELETE', `/api/v1/tasks/${kafkaTask.id}`)).status).toBe(200);
    const db = await metadataDb();
    try {
      const { rows } = await db.query(`SELECT status, secrets FROM task WHERE id = $1`, [kafkaTask.id]);
      expect(rows).toEqual([{ status: 'DELETED', secrets: null }]);
    } finally {
      await db.end();
    }
  });

  it('never reach the logs of the api, the scheduler or the worker', async () => {
    const files = readdirSync(testEnv.logDir).filter((f) => f.endsWith('.log'));
    expect(files).toEqual(expect.arrayContaining(['api.log', 'scheduler.log']));
    for (const file of files) expectNoSecret(readFileSync(join(testEnv.logDir, file), 'utf8'), `test-results/logs/${file}`);
  });
});
