import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrecheckRunView } from '@walbridge/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, sourceDb, testEnv, uniqueName } from '@walbridge/testing';
import { api, createdTask, demoSql, demoTableAndTopic, demoTask, itemOf, results } from './precheck-fixture';

// Each case is a real misconfiguration of the demo source or of Kafka; the precheck, run through
// the HTTP API only, must point at it with the fix spelled out.
describe('precheck on bad setups', () => {
  const cleanup: string[] = [];

  afterAll(async () => {
    await demoSql(...cleanup.reverse()).catch(() => undefined);
  });

  it('a role without REPLICATION: replication permission fails with the ALTER ROLE that fixes it', async () => {
    const role = uniqueName('wbtest_norepl');
    const { table, topic } = await demoTableAndTopic();
    await demoSql(
      `CREATE ROLE ${role} LOGIN PASSWORD 'norepl-pw'`,
      `GRANT CREATE, CONNECT ON DATABASE demo TO ${role}`,
      `GRANT USAGE ON SCHEMA shop TO ${role}`,
      `ALTER TABLE shop.${table} OWNER TO ${role}`,
    );
    cleanup.push(`DROP OWNED BY ${role}`, `DROP ROLE IF EXISTS ${role}`);
    const input = demoTask(table, topic);
    const task = await createdTask({ ...input, source: { ...input.source, username: role, password: 'norepl-pw' } });
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'replication-permission')).toMatchObject({
      result: 'FAILED',
      reason: `role ${role} is neither a superuser nor has the REPLICATION attribute`,
      suggestion: `ALTER ROLE "${role}" WITH REPLICATION;`,
    });
    expect(itemOf(run, 'source-connectivity').result).toBe('PASSED');
    expect(run.result).toBe('FAILED');
  });

  it('a table the role may not SELECT: privileges fail with the GRANT, and so does the publication (not its owner)', async () => {
    const { topic } = await demoTableAndTopic();
    const table = uniqueName('t');
    await demoSql(`CREATE TABLE shop.${table} (id int PRIMARY KEY)`); // owned by the superuser, no grant
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(demoTask(table, topic));
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'privileges')).toMatchObject({
      result: 'FAILED',
      reason: `no SELECT on shop.${table}`,
      suggestion: `GRANT SELECT ON "shop"."${table}" TO "demo";`,
      affectedObjects: [`shop.${table}`],
    });
    expect(itemOf(run, 'publication-permission')).toMatchObject({ result: 'FAILED', suggestion: expect.stringContaining(`ALTER TABLE "shop"."${table}" OWNER TO "demo";`) });
  });

  it('a schema the role may not use: privileges fail with GRANT USAGE', async () => {
    const { topic } = await demoTableAndTopic();
    const schema = uniqueName('wbtest_priv');
    await demoSql(`CREATE SCHEMA ${schema}`, `CREATE TABLE ${schema}.t (id int PRIMARY KEY)`, `ALTER TABLE ${schema}.t OWNER TO demo`);
    cleanup.push(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const task = await createdTask(demoTask('t', topic, {}, { tables: [{ schema, table: 't' }] }));
    expect(itemOf(await api.runPrecheck(task.id), 'privileges')).toMatchObject({
      result: 'FAILED',
      reason: `no USAGE on schema ${schema}`,
      suggestion: `GRANT USAGE ON SCHEMA "${schema}" TO "demo";`,
      affectedObjects: [`schema ${schema}`],
    });
  });

  it('a database-level task over a schema with a table whose name breaks the character rules', async () => {
    const { topic } = await demoTableAndTopic();
    const schema = uniqueName('wbtest_odd');
    await demoSql(
      `CREATE SCHEMA ${schema} AUTHORIZATION demo`,
      `CREATE TABLE ${schema}."odd.name" (id int PRIMARY KEY)`,
      `CREATE TABLE ${schema}.fine (id int PRIMARY KEY)`,
      `CREATE UNLOGGED TABLE ${schema}.scratch (id int PRIMARY KEY)`,
      `ALTER TABLE ${schema}."odd.name" OWNER TO demo`,
      `ALTER TABLE ${schema}.fine OWNER TO demo`,
    );
    cleanup.push(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const task = await createdTask(demoTask('x', topic, {}, { objectScope: 'database', schemas: [schema], tables: [] }));
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'objects')).toMatchObject({
      result: 'FAILED',
      reason: `the names of ${schema}.odd.name contain one of " . ' < >, which are not supported`,
      affectedObjects: [`${schema}.odd.name`],
    });
    // Unlogged tables are not part of a database-level selection (not published), so not refused.
    expect(itemOf(run, 'objects').reason).not.toContain('scratch');
    const missing = await createdTask(demoTask('x', topic, {}, { objectScope: 'database', schemas: [uniqueName('wbtest_none')], tables: [] }));
    expect(itemOf(await api.runPrecheck(missing.id), 'objects').reason).toMatch(/^schema wbtest_none_\S+ does not exist$/);
  });

  it('a table without primary key and default replica identity fails with REPLICA IDENTITY FULL', async () => {
    const { table, topic } = await demoTableAndTopic((t) => `CREATE TABLE ${t} (id bigint, note text)`);
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(demoTask(table, topic));
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'replica-identity')).toMatchObject({
      result: 'FAILED',
      suggestion: `ALTER TABLE "shop"."${table}" REPLICA IDENTITY FULL;`,
      affectedObjects: [`shop.${table}`],
    });
    expect(itemOf(run, 'replica-identity').reason).toContain('has no primary key and REPLICA IDENTITY DEFAULT');

    // Following the suggestion fixes it: check again.
    await demoSql(`ALTER TABLE "shop"."${table}" REPLICA IDENTITY FULL`);
    expect(itemOf(await api.runPrecheck(task.id), 'replica-identity').result).toBe('PASSED');
  });

  it('a missing, an unlogged and a TOAST-keyed table: objects fail, the TOAST key alarms', async () => {
    const { table: unlogged, topic } = await demoTableAndTopic((t) => `CREATE UNLOGGED TABLE ${t} (id bigint PRIMARY KEY)`);
    const { table: textKey } = await demoTableAndTopic((t) => `CREATE TABLE ${t} (code text PRIMARY KEY)`);
    cleanup.push(`DROP TABLE IF EXISTS shop.${unlogged}`, `DROP TABLE IF EXISTS shop.${textKey}`);
    const missing = uniqueName('gone');
    const task = await createdTask(
      demoTask(unlogged, topic, {}, { tables: [{ schema: 'shop', table: unlogged }, { schema: 'shop', table: missing }, { schema: 'shop', table: textKey }] }),
    );
    const run = await api.runPrecheck(task.id);
    const objects = itemOf(run, 'objects');
    expect(objects.result).toBe('FAILED');
    expect(objects.reason).toContain(`shop.${missing} does not exist`);
    expect(objects.reason).toContain(`shop.${unlogged} is unlogged`);
    expect(objects.suggestion).toContain(`ALTER TABLE "shop"."${unlogged}" SET LOGGED;`);
    expect(objects.affectedObjects).toEqual([`shop.${missing}`, `shop.${unlogged}`]);
    expect(itemOf(run, 'toast-key-columns')).toMatchObject({
      result: 'ALARM',
      suggestion: `ALTER TABLE "shop"."${textKey}" REPLICA IDENTITY FULL;`,
      affectedObjects: [`shop.${textKey}`],
    });
  });

  it('a long open transaction alarms with the session to end', async () => {
    const { table, topic } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(demoTask(table, topic));
    const holder = await sourceDb();
    try {
      await holder.query(`BEGIN; SELECT pg_current_xact_id(); SET application_name = 'wbtest-long-tx'`);
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await new Promise((r) => setTimeout(r, 2100));
      const run = await api.runPrecheck(task.id, { longTransactionSeconds: 2 });
      const item = itemOf(run, 'long-transactions');
      expect(item.result).toBe('ALARM');
      expect(item.reason).toMatch(/transaction\(s\) open for more than 2 s; creating the replication slot waits until they end/);
      expect(item.suggestion).toContain(`SELECT pg_terminate_backend(${pid});`);
      expect(item.affectedObjects.find((a) => a.startsWith(`pid ${pid} `))).toMatch(/application wbtest-long-tx, idle in transaction\) open for \d+ s/);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    // The default threshold (5 minutes) is not reached by a 2-second transaction.
    expect(itemOf(await api.runPrecheck(task.id), 'long-transactions').result).toBe('PASSED');
  });

  it('a slot and a publication of that name that exist already fail the names item', async () => {
    const { table, topic } = await demoTableAndTopic();
    const slot = uniqueName('wbtest');
    await demoSql(`SELECT pg_create_logical_replication_slot('${slot}', 'pgoutput')`, `CREATE PUBLICATION ${slot} FOR TABLE shop.${table}`);
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`, `SELECT pg_drop_replication_slot('${slot}')`, `DROP PUBLICATION IF EXISTS ${slot}`);
    const task = await createdTask(demoTask(table, topic, {}, { slotName: slot }));
    const item = itemOf(await api.runPrecheck(task.id), 'slot-and-publication');
    expect(item.result).toBe('FAILED');
    expect(item.reason).toContain(`replication slot ${slot} already exists (inactive) and does not belong to this task`);
    expect(item.suggestion).toContain(`SELECT pg_drop_replication_slot('${slot}');`);
    expect(item.suggestion).toContain(`DROP PUBLICATION "${slot}";`);
  });

  it('a missing topic fails with the command that creates it, and submit is refused', async () => {
    const { table } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const missing = uniqueName('wbtest_missing');
    const task = await createdTask(demoTask(table, missing));
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'kafka-topics')).toMatchObject({
      result: 'FAILED',
      reason: `topic ${missing} does not exist`,
      suggestion: `kafka-topics.sh --bootstrap-server ${testEnv.kafkaBrokers.join(',')} --create --topic ${missing} --partitions 1 --replication-factor 1`,
    });
    const submit = await api.operate(task.id, 'submit');
    expect(submit.status).toBe(409);
    expect(submit.body).toMatchObject({ code: 'PRECHECK_REQUIRED', message: expect.stringContaining('precheck items failed: Kafka topics') });
  });

  it('a replication factor above the broker count fails for topics to be created', async () => {
    const { table } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(
      demoTask(table, 'unused', {}, { topicPolicy: { mode: 'auto', nameFormat: `wbtest_auto.$schema$.$tablename$`, partitions: 2, replicationFactor: 2 } }),
    );
    const item = itemOf(await api.runPrecheck(task.id), 'kafka-topics');
    expect(item).toMatchObject({
      result: 'FAILED',
      reason: 'replication factor 2 exceeds the 1 broker(s) of the Kafka cluster',
      suggestion: 'set policy.topicPolicy.replicationFactor to at most 1',
      affectedObjects: [`topic wbtest_auto.shop.${table}`],
    });
    // With a factor the cluster can hold, the broker validates the creation (without creating it).
    const fixed = await api.request('PATCH', `/api/v1/tasks/${task.id}`, { policy: { topicPolicy: { replicationFactor: 1 } } });
    expect(fixed.status).toBe(200);
    expect(itemOf(await api.runPrecheck(task.id), 'kafka-topics').result).toBe('PASSED');
  });

  it('a wrong Kafka host fails connectivity, and the other Kafka items say they were not checked', async () => {
    const { table, topic } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const port = await freePort();
    const task = await createdTask(demoTask(table, topic, { destination: { brokers: `127.0.0.1:${port}` } }));
    const started = Date.now();
    const run: PrecheckRunView = await api.runPrecheck(task.id);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(itemOf(run, 'kafka-connectivity')).toMatchObject({
      result: 'FAILED',
      reason: `no Kafka broker is reachable: 127.0.0.1:${port} refused the connection: the host answers, but nothing listens on port ${port}`,
      suggestion: 'check the ports, and that the brokers listen on these addresses (listeners in server.properties)',
    });
    expect(results(run)).toMatchObject({ 'kafka-topics': 'FAILED', 'kafka-auto-create': 'FAILED' });
    expect(itemOf(run, 'kafka-topics').reason).toContain('not checked');
    // The source side is unaffected.
    expect(results(run)).toMatchObject({ 'source-connectivity': 'PASSED', 'wal-level': 'PASSED', privileges: 'PASSED' });
  });

  it('an unknown Kafka host name is told apart from a refused port', async () => {
    const { table, topic } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(demoTask(table, topic, { destination: { brokers: 'no-such-broker.invalid:9092' } }));
    expect(itemOf(await api.runPrecheck(task.id), 'kafka-connectivity').reason).toBe(
      'no Kafka broker is reachable: host name no-such-broker.invalid cannot be resolved (ENOTFOUND)',
    );
  });

  it('a wrong source password fails connectivity and marks every source item as not checked', async () => {
    const { table, topic } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const input = demoTask(table, topic);
    const task = await createdTask({ ...input, source: { ...input.source, password: 'not-the-password' } });
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'source-connectivity')).toMatchObject({ result: 'FAILED', reason: 'password authentication failed for user demo' });
    expect(run.items.filter((i) => i.target === 'source').every((i) => i.result === 'FAILED')).toBe(true);
    expect(itemOf(run, 'wal-level').reason).toContain('not checked');
    expect(itemOf(run, 'kafka-topics').result).toBe('PASSED');
  });

  it('full + incremental into a topic that keeps less than the tables take: the retention item alarms with the setting to change', async () => {
    const { table } = await demoTableAndTopic((t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, note text); INSERT INTO ${t} SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g; ANALYZE ${t}`);
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const small = uniqueName('wbtest_small');
    const admin = new Kafka({ clientId: 'wbtest', brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: small, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.bytes', value: '100000' }] }] });
    } finally {
      await admin.disconnect();
    }
    const task = await createdTask(demoTask(table, small, {}, { syncMode: 'full+incremental' }));
    const run = await api.runPrecheck(task.id);
    expect(itemOf(run, 'kafka-retention')).toMatchObject({
      result: 'ALARM',
      reason: expect.stringMatching(new RegExp(`^topic ${small} keeps 98 kB \\(retention.bytes 100000 on 1 partition\\), less than the .* MiB its tables take on the source's disk`)),
      suggestion: expect.stringContaining(`--entity-name ${small} --add-config retention.bytes=`),
      affectedObjects: [`topic ${small}`],
    });
    expect(itemOf(run, 'full-sync')).toMatchObject({ result: 'PASSED', reason: expect.stringContaining(`shop.${table} by its primary key (id)`) });
  });

  it('full + incremental of a table never analyzed: the full-sync item says its row count is unknown, never "about 0 rows"', async () => {
    // autovacuum off for this table: reltuples stays -1 (never analyzed), as for any fresh table until autovacuum gets to it.
    const { table, topic } = await demoTableAndTopic(
      (t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY) WITH (autovacuum_enabled = false); INSERT INTO ${t} SELECT generate_series(1, 5000)`,
    );
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(demoTask(table, topic, {}, { syncMode: 'full+incremental' }));
    const item = itemOf(await api.runPrecheck(task.id), 'full-sync');
    expect(item).toMatchObject({ result: 'PASSED', reason: expect.stringMatching(new RegExp(`^an unknown number of existing rows \\(.* on disk; shop\\.${table} never analyzed: ANALYZE it for an estimate\\)`)) });
    expect(item.reason).not.toMatch(/about 0 /);
  });

  it('DELETE left out alarms', async () => {
    const { table, topic } = await demoTableAndTopic();
    cleanup.push(`DROP TABLE IF EXISTS shop.${table}`);
    const task = await createdTask(demoTask(table, topic, {}, { dmlOperations: ['INSERT', 'UPDATE'] }));
    expect(itemOf(await api.runPrecheck(task.id), 'dml-delete')).toMatchObject({
      result: 'ALARM',
      affectedObjects: ['every table'],
      suggestion: expect.stringContaining('add "DELETE" and "TRUNCATE" to policy.dmlOperations'),
    });
  });
});

beforeAll(async () => {
  // The long-transaction item reads other roles' sessions: the stack grants demo pg_read_all_stats.
  const db = await sourceDb();
  try {
    const { rows } = await db.query(`SELECT pg_has_role($1, 'pg_read_all_stats', 'USAGE') AS ok`, [testEnv.sourceUser]);
    if (!rows[0].ok) throw new Error(`role ${testEnv.sourceUser} lacks pg_read_all_stats: run the stack with tools/stack/stack.mjs up`);
  } finally {
    await db.end();
  }
});
