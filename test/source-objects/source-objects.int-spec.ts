import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'pg';
import type { SourceObjectsView, SourceTableView, TaskView } from '@walbridge/contracts';
import { ApiClient, demoDestination, demoSource, sourceDb, testEnv, uniqueName } from '@walbridge/testing';

const api = new ApiClient();
const TABLES = 2000;

describe('GET /tasks/{id}/source-objects', () => {
  const schema = uniqueName('wbtest_picker');
  const many = uniqueName('wbtest_many');
  let task: TaskView;
  let tempSession: Client;
  let tempSchema: string;

  beforeAll(async () => {
    const db = await sourceDb();
    try {
      await db.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${testEnv.sourceUser}`);
      const s = schema;
      // Created as the task's role, as a user's own tables would be; "secret" is someone else's.
      await db.query(`
        SET ROLE ${testEnv.sourceUser};
        CREATE TABLE ${s}.composite (a int, b text, c int, PRIMARY KEY (b, a));
        CREATE TABLE ${s}.keyless (x int, y int);
        ALTER TABLE ${s}.keyless REPLICA IDENTITY FULL;
        CREATE TABLE ${s}.by_index (id int NOT NULL, v text);
        CREATE UNIQUE INDEX by_index_id ON ${s}.by_index (id);
        ALTER TABLE ${s}.by_index REPLICA IDENTITY USING INDEX by_index_id;
        CREATE UNLOGGED TABLE ${s}.scratch (id int PRIMARY KEY);
        CREATE TABLE ${s}.events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
        CREATE TABLE ${s}.events_2025 PARTITION OF ${s}.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE ${s}.events_2026 PARTITION OF ${s}.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        INSERT INTO ${s}.events SELECT g, DATE '2025-06-01' + (g % 400) FROM generate_series(1, 3000) g;
        INSERT INTO ${s}.composite SELECT g, 'k' || g, g FROM generate_series(1, 500) g;
        ANALYZE ${s}.events_2025, ${s}.events_2026, ${s}.composite;
        CREATE VIEW ${s}.a_view AS SELECT 1 AS one;
        RESET ROLE;
        CREATE TABLE ${s}.secret (id int PRIMARY KEY);
        CREATE SCHEMA ${many};
        DO $$ BEGIN FOR i IN 1..${TABLES} LOOP EXECUTE format('CREATE TABLE ${many}.t%s (id int PRIMARY KEY, v text)', i); END LOOP; END $$;`);
    } finally {
      await db.end();
    }
    // A temporary table lives as long as its session: keep one open while the picker reads.
    tempSession = await sourceDb();
    await tempSession.query('CREATE TEMP TABLE wbtest_temp (id int)');
    tempSchema = (await tempSession.query<{ s: string }>(`SELECT nspname AS s FROM pg_namespace WHERE oid = pg_my_temp_schema()`)).rows[0].s;
    task = await api.createTask({
      name: uniqueName('pick').replace(/_/g, '-'),
      source: demoSource(),
      destination: demoDestination(),
      policy: { objectScope: 'database', topicPolicy: { mode: 'auto', nameFormat: '$schema$.$tablename$' } },
    });
  }, 300_000);

  afterAll(async () => {
    await tempSession?.end();
    const db = await sourceDb();
    try {
      await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.query(`DROP SCHEMA IF EXISTS ${many} CASCADE`);
    } finally {
      await db.end();
    }
  }, 300_000);

  async function objects(): Promise<{ body: SourceObjectsView; ms: number }> {
    const started = performance.now();
    const res = await api.request<SourceObjectsView>('GET', `/api/v1/tasks/${task.id}/source-objects`);
    const ms = performance.now() - started;
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    return { body: res.body, ms };
  }

  it('lists schemas and tables with key, replica identity, estimated rows and flags', async () => {
    const { body } = await objects();
    expect(body.database).toBe(testEnv.sourceDatabase);
    const tables = new Map<string, SourceTableView>(body.schemas.find((s) => s.name === schema)!.tables.map((t) => [t.name, t]));
    expect([...tables.keys()]).toEqual(['by_index', 'composite', 'events', 'keyless', 'scratch', 'secret']);
    expect(tables.get('composite')).toEqual({
      name: 'composite',
      kind: 'table',
      primaryKey: ['b', 'a'],
      replicaIdentity: 'default',
      estimatedRows: 500,
      unlogged: false,
      temporary: false,
      selectable: true,
      columns: ['a', 'b', 'c'],
    });
    expect(tables.get('keyless')).toMatchObject({ primaryKey: [], replicaIdentity: 'full', estimatedRows: null });
    expect(tables.get('by_index')).toMatchObject({ primaryKey: [], replicaIdentity: 'index' });
    expect(tables.get('scratch')).toMatchObject({ unlogged: true, temporary: false });
    // Partitions publish under their parent: only the parent is listed, with their rows.
    expect(tables.get('events')).toMatchObject({ kind: 'partitioned', primaryKey: ['id', 'at'], estimatedRows: 3000, columns: ['id', 'at'] });
    expect(tables.get('secret')).toMatchObject({ selectable: false });
    const temp = body.schemas.find((s) => s.name === tempSchema)?.tables.find((t) => t.name === 'wbtest_temp');
    expect(temp).toMatchObject({ temporary: true });
    expect(body.schemas.find((s) => s.name === 'shop')?.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['orders', 'customers', 'audit_events']));
    expect(body.schemas.map((s) => s.name)).not.toContain('pg_catalog');
  });

  it(`answers in under a second on a database with ${TABLES} more tables`, async () => {
    const timings: number[] = [];
    let count = 0;
    for (let i = 0; i < 3; i++) {
      const { body, ms } = await objects();
      timings.push(ms);
      count = body.schemas.find((s) => s.name === many)!.tables.length;
    }
    expect(count).toBe(TABLES);
    timings.sort((a, b) => a - b);
    console.log(`source-objects with ${TABLES}+ tables: ${timings.map((t) => `${Math.round(t)} ms`).join(', ')}`);
    expect(timings[1]).toBeLessThan(1000);
  });

  it('answers 502 with the reason when the source refuses, and 404 for an unknown task', async () => {
    const broken = await api.createTask({
      name: uniqueName('pick').replace(/_/g, '-'),
      source: demoSource({ password: 'wrong-password' }),
      destination: demoDestination(),
      policy: { objectScope: 'database', topicPolicy: { mode: 'specific', topic: 'x' } },
    });
    const res = await api.request('GET', `/api/v1/tasks/${broken.id}/source-objects`);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ code: 'SOURCE_UNAVAILABLE', problem: 'bad-password', message: 'password authentication failed for user demo' });
    expect((await api.request('GET', '/api/v1/tasks/00000000-0000-4000-8000-000000000000/source-objects')).status).toBe(404);
  });
});
