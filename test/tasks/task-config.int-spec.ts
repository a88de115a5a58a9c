import { afterAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, CreateTaskInput, Page, TaskView } from '@walbridge/contracts';
import { ApiClient, createTopic, metadataDb, sourceDb, taskInput, testEnv, uniqueName } from '@walbridge/testing';

const api = new ApiClient();

function base(overrides: Record<string, unknown> = {}): CreateTaskInput {
  return taskInput({ name: uniqueName('cfg').replace(/_/g, '-').slice(0, 50), ...overrides });
}

const fields = (body: unknown) => Object.fromEntries(((body as ApiErrorBody).details ?? []).map((d) => [d.field, d.message]));

describe('task configuration through the API', () => {
  it('refuses every broken rule at once, naming each field and its rule', async () => {
    const res = await api.request('POST', '/api/v1/tasks', {
      name: '9-bad name',
      description: 'no <tags>',
      tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }],
      source: { host: 'db', port: 70000, database: 'd%b', username: 'u', sslMode: 'verify-ca' },
      destination: { brokers: 'k1:9092,k2', securityProtocol: 'SASL_PLAINTEXT' },
      policy: {
        slotName: '9slot',
        tables: [{ schema: 'pub"lic', table: 't' }],
        topicPolicy: { mode: 'auto', nameFormat: '$tablename$', partitions: 0, replicationFactor: 40 },
      },
      alarms: { delayThresholdSeconds: 4000, abnormalStopDays: 7 },
      retry: { connectionMinutes: 30, otherMinutes: 30 },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(fields(res.body)).toEqual({
      name: expect.stringContaining('starts with a letter'),
      description: expect.stringContaining('may not contain'),
      'tags.1.key': 'tag key a is used twice',
      'source.port': 'port must be 1-65535',
      'source.database': expect.stringContaining('may not contain'),
      'source.caCert': 'caCert is required when sslMode is verify-ca',
      'destination.brokers.1': 'each broker must be host:port',
      'policy.slotName': expect.stringContaining('not starting with a digit'),
      'policy.tables.0.schema': expect.stringContaining('may not contain'),
      'policy.topicPolicy.partitions': 'partitions must be 1-1000',
      'policy.topicPolicy.replicationFactor': 'replicationFactor must be 1-32',
      'alarms.delayThresholdSeconds': expect.stringContaining('0-3600'),
      'alarms.abnormalStopDays': 'abnormalStopDays must be 14-100',
      'retry.otherMinutes': 'otherMinutes must be smaller than connectionMinutes',
    });
  });

  it('checks rules across fields once the fields themselves are valid', async () => {
    const res = await api.request('POST', '/api/v1/tasks', base({ destination: { brokers: 'k1:9092', securityProtocol: 'SASL_SSL', clientKey: 'x' } }));
    expect(res.status).toBe(400);
    expect(fields(res.body)).toEqual({
      'destination.saslMechanism': 'saslMechanism is required when securityProtocol is SASL_SSL',
      'destination.username': 'username is required when securityProtocol is SASL_SSL',
      'destination.password': 'password is required when securityProtocol is SASL_SSL',
      'destination.clientKey': 'clientKey must be a PEM private key',
      'destination.clientCert': 'clientCert is required with clientKey',
    });
  });

  it('checks the topic names a configuration produces', async () => {
    const literal = await api.request('POST', '/api/v1/tasks', base({ policy: { tables: [{ schema: 'shop', table: 'orders', topic: 'a/b' }], topicPolicy: { mode: 'specific', topic: 'my topic' } } }));
    expect(literal.status).toBe(400);
    expect(fields(literal.body)).toEqual({
      'policy.topicPolicy.topic': expect.stringContaining('only letters, digits'),
      'policy.tables.0.topic': expect.stringContaining('only letters, digits'),
    });
    const tooLong = await api.request('POST', '/api/v1/tasks', base({ policy: { tables: [{ schema: 'shop', table: 't'.repeat(63) }], topicPolicy: { mode: 'auto', nameFormat: `${'x'.repeat(190)}.$schema$.$tablename$` } } }));
    expect(tooLong.status).toBe(400);
    expect(fields(tooLong.body)).toEqual({ 'policy.tables.0': expect.stringContaining('at most 249 are allowed') });
    const dots = await api.request('POST', '/api/v1/tasks', base({ policy: { objectScope: 'database', topicPolicy: { mode: 'auto', nameFormat: '..' } } }));
    expect(fields(dots.body)).toEqual({ 'policy.topicPolicy.nameFormat': "topic name cannot be '..'" });
  });

  it('answers 400, not 500, to bodies that are not task JSON', async () => {
    for (const body of ['{"name":', '[]', 'null', '"x"']) {
      const res = await api.request('POST', '/api/v1/tasks', body);
      expect(res.status, body).toBe(400);
    }
    expect((await api.request('PATCH', `/api/v1/tasks/00000000-0000-4000-8000-000000000000`, '[1]')).status).toBe(400);
  });
});

describe('update and delete', () => {
  const stopAfter: string[] = [];
  afterAll(async () => {
    for (const id of stopAfter) {
      await api.operate(id, 'stop');
      await api.waitUntilStopped(id).catch(() => undefined);
    }
  });

  it('PATCH merges fields in CONFIGURATION, validates the result and logs which fields changed', async () => {
    const task = await api.createTask(base());
    const res = await api.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, {
      description: 'nightly orders',
      tags: [{ key: 'team', value: 'shop' }],
      policy: { slotName: 'wbtest_patched_slot', dmlOperations: ['INSERT', 'UPDATE'] },
      alarms: { delayThresholdSeconds: 120 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      description: 'nightly orders',
      tags: [{ key: 'team', value: 'shop' }],
      slotName: 'wbtest_patched_slot',
      policy: { slotName: 'wbtest_patched_slot', dmlOperations: ['INSERT', 'UPDATE'], tables: [{ schema: 'shop', table: 'orders' }] },
      alarms: { delayThresholdSeconds: 120, abnormalStopDays: 14 },
      source: { host: testEnv.pgHost, passwordSet: true },
    });
    // null removes an optional field: the slot name goes back to the default.
    const reset = await api.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, { policy: { slotName: null } });
    expect(reset.body.slotName).toBe(`walbridge_${task.id.replace(/-/g, '_')}`);
    const invalid = await api.request('PATCH', `/api/v1/tasks/${task.id}`, { retry: { otherMinutes: 800 } });
    expect(invalid.status).toBe(400);
    expect(fields(invalid.body)).toEqual({ 'retry.otherMinutes': 'otherMinutes must be smaller than connectionMinutes' });
    expect((await api.task(task.id)).description).toBe('nightly orders');
    const db = await metadataDb();
    try {
      const { rows } = await db.query(`SELECT message FROM task_log WHERE task_id = $1 ORDER BY id`, [task.id]);
      expect(rows.map((r) => r.message)).toContainEqual(expect.stringMatching(/^configuration changed: alarms.delayThresholdSeconds, description, policy.dmlOperations, policy.slotName, tags;/));
    } finally {
      await db.end();
    }
  });

  it('deletes a task in CONFIGURATION: 200, then 404, not listed, credentials wiped in the row', async () => {
    const task = await api.createTask(base());
    const del = await api.request('DELETE', `/api/v1/tasks/${task.id}`);
    expect(del.status).toBe(200);
    expect((await api.request('GET', `/api/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await api.request('DELETE', `/api/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await api.request('PATCH', `/api/v1/tasks/${task.id}`, { description: 'x' })).status).toBe(404);
    const list = await api.request<Page<TaskView>>('GET', `/api/v1/tasks?q=${task.id}`);
    expect(list.body.items).toEqual([]);
    const db = await metadataDb();
    try {
      const { rows } = await db.query(`SELECT status, secrets FROM task WHERE id = $1`, [task.id]);
      expect(rows).toEqual([{ status: 'DELETED', secrets: null }]);
    } finally {
      await db.end();
    }
  });

  it('while streaming: other fields are refused with 409, a password changes and is used from the next connection', async () => {
    const table = uniqueName('t');
    const topic = uniqueName('wbtest');
    const src = await sourceDb();
    try {
      await src.query(`CREATE TABLE shop.${table} (id int PRIMARY KEY)`);
      await src.query(`ALTER TABLE shop.${table} OWNER TO ${testEnv.sourceUser}`);
    } finally {
      await src.end();
    }
    await createTopic(topic);
    const task = await api.createTask(base({ policy: { slotName: uniqueName('wbtest'), tables: [{ schema: 'shop', table }], topicPolicy: { mode: 'specific', topic } } }));
    await api.passPrecheck(task.id);
    expect((await api.operate(task.id, 'submit')).status).toBe(202);
    stopAfter.push(task.id);
    await api.waitForStatus(task.id, 'INCREMENTAL', 90_000);

    // Description, tags, alarms, throttle and retry windows may change while streaming (editSettings); setup fields may not.
    const rename = await api.request('PATCH', `/api/v1/tasks/${task.id}`, { policy: { partitionPolicy: 'zero' } });
    expect(rename.status).toBe(409);
    expect(rename.body).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', status: 'INCREMENTAL', allowedOperations: expect.arrayContaining(['stop']) });
    const remove = await api.request('DELETE', `/api/v1/tasks/${task.id}`);
    expect(remove.status).toBe(409);
    expect(remove.body).toMatchObject({ code: 'OPERATION_NOT_ALLOWED', status: 'INCREMENTAL' });

    const wrong = await api.request<TaskView>('PATCH', `/api/v1/tasks/${task.id}`, { source: { password: 'a-wrong-password' } });
    expect(wrong.status).toBe(200);
    expect(wrong.body.status).toBe('INCREMENTAL');
    const test1 = await api.request<{ ok: boolean; problem: string }>('POST', `/api/v1/tasks/${task.id}/test-connection?target=source`);
    expect(test1.body).toMatchObject({ ok: false, problem: 'bad-password' });
    const back = await api.request('PATCH', `/api/v1/tasks/${task.id}`, { source: { password: testEnv.sourcePassword } });
    expect(back.status).toBe(200);
    const test2 = await api.request<{ ok: boolean }>('POST', `/api/v1/tasks/${task.id}/test-connection?target=source`);
    expect(test2.body).toMatchObject({ ok: true });
    // Sending back the whole view (as a form would) with only the password changed is a password change too.
    const view = await api.task(task.id);
    const whole = await api.request('PATCH', `/api/v1/tasks/${task.id}`, { ...view, source: { ...view.source, password: testEnv.sourcePassword } });
    expect(whole.status).toBe(200);

    await api.operate(task.id, 'stop');
    await api.waitForStatus(task.id, 'COMPLETED', 90_000);
    stopAfter.pop();
    expect((await api.request('DELETE', `/api/v1/tasks/${task.id}`)).status).toBe(200);
    await (await sourceDb()).query(`DROP TABLE shop.${table}`).catch(() => undefined);
  });
});
