import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import type { TaskSnapshotView } from '@walbridge/contracts';
import { KafkaFixture, residentBytes, sourceDb, testEnv, waitFor, workerPid, type ReadMessage } from '@walbridge/testing';
import { api, envelopeOf, onSource, startTask, stopTask, type Envelope } from './task-fixture';

/**
 * Issue 13, tables whose shape makes a snapshot hard, on the real stack: partitioned tables with
 * and without a key (the parent has no heap of its own), a text key under an ICU collation whose
 * order is not the bytes' order, a table dropped while it is read, and rows of 5 MB that must
 * not take the worker's bounded heap with them. Each check rebuilds the table from the topic.
 */
const kafka = new KafkaFixture();
const started: string[] = [];
afterAll(async () => {
  for (const id of started) await stopTask(id).catch(() => undefined);
});

type Row = Record<string, string | null>;

function rebuild(messages: readonly ReadMessage[], table: string, keyOf: (row: Row) => string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const e of messages.map(envelopeOf) as Envelope[]) {
    if (e.table !== table) continue;
    if (e.type === 'DELETE') rows.delete(keyOf(e.data[0]));
    else rows.set(keyOf(e.data[0]), e.data[0]);
  }
  return rows;
}

async function sourceRows(sql: string): Promise<Row[]> {
  const db = await sourceDb();
  try {
    return (await db.query<Row>(sql)).rows;
  } finally {
    await db.end();
  }
}

async function snapshotOf(taskId: string): Promise<TaskSnapshotView> {
  return (await api.request<TaskSnapshotView>('GET', `/api/v1/tasks/${taskId}/snapshot`)).body;
}

const readAllUpTo = (topic: string, marker: (e: Envelope) => boolean) =>
  kafka.readUntil(topic, (all) => all.some((m) => marker(envelopeOf(m))), `the marker row on ${topic}`, 180_000);

describe('full synchronization of hard table shapes', () => {
  it('reads partitioned tables with and without a key and an ICU-collated text key across chunks: each rebuilt table equals the source', async () => {
    const ctx = await startTask({
      tables: {
        parts: {
          // Keyed: read through the parent in key order, as one table.
          ddl: (q, s) =>
            `CREATE TABLE ${q} (id integer, region text, v text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
             CREATE TABLE shop."parts_eu_${s}" PARTITION OF ${q} FOR VALUES IN ('eu');
             CREATE TABLE shop."parts_us_${s}" PARTITION OF ${q} FOR VALUES IN ('us');
             CREATE TABLE shop."parts_xx_${s}" PARTITION OF ${q} DEFAULT;
             INSERT INTO ${q} SELECT g, (ARRAY['eu', 'us', 'ap'])[1 + g % 3], md5(g::text) FROM generate_series(1, 4500) g;
             ANALYZE ${q}`,
        },
        heap: {
          // Without a key: each leaf is read by ctid ranges, one after the other.
          ddl: (q, s) =>
            `CREATE TABLE ${q} (a integer, b text) PARTITION BY RANGE (a);
             CREATE TABLE shop."heap_lo_${s}" PARTITION OF ${q} FOR VALUES FROM (0) TO (1000);
             CREATE TABLE shop."heap_hi_${s}" PARTITION OF ${q} FOR VALUES FROM (1000) TO (MAXVALUE);
             CREATE TABLE shop."heap_empty_${s}" (b text, a integer);
             ALTER TABLE ${q} ATTACH PARTITION shop."heap_empty_${s}" FOR VALUES FROM (MINVALUE) TO (0);
             ALTER TABLE ${q} REPLICA IDENTITY FULL;
             ALTER TABLE shop."heap_empty_${s}" REPLICA IDENTITY FULL;
             ALTER TABLE shop."heap_lo_${s}" REPLICA IDENTITY FULL;
             ALTER TABLE shop."heap_hi_${s}" REPLICA IDENTITY FULL;
             ALTER TABLE shop."heap_lo_${s}" OWNER TO ${testEnv.sourceUser};
             ALTER TABLE shop."heap_hi_${s}" OWNER TO ${testEnv.sourceUser};
             ALTER TABLE shop."heap_empty_${s}" OWNER TO ${testEnv.sourceUser};
             INSERT INTO ${q} SELECT g % 2000, 'h' || g FROM generate_series(1, 6000) g;
             INSERT INTO ${q} VALUES (5, 'twin'), (5, 'twin'), (1500, NULL)`,
        },
        icu: {
          // 'a' < 'B' < 'é' < 'Z' here, unlike their bytes: chunk boundaries must follow the column's collation.
          ddl: (q) =>
            `CREATE TABLE ${q} (k text COLLATE "und-x-icu" PRIMARY KEY, n integer);
             INSERT INTO ${q} SELECT (ARRAY['a', 'B', 'é', 'Z', 'ä', '_', 'Ö', 'z', 'e'])[1 + g % 9] || (g / 9)::text, g FROM generate_series(0, 8999) g`,
        },
      },
      topics: { out: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [
          { schema: 'shop', table: tables.parts },
          { schema: 'shop', table: tables.heap },
          { schema: 'shop', table: tables.icu },
        ],
        topicPolicy: { mode: 'specific', topic: topics.out },
        syncMode: 'full+incremental',
      }),
      waitFor: 'FULL_SYNC',
    });
    started.push(ctx.task.id);
    await api.waitForStatus(ctx.task.id, 'INCREMENTAL', 120_000);
    await onSource(`INSERT INTO ${ctx.qualified.parts} VALUES (100000, 'us', 'marker')`);
    const messages = await readAllUpTo(ctx.topics.out, (e) => e.data[0].v === 'marker');
    const of = (table: string) => messages.filter((m) => envelopeOf(m).table === table);

    const partKey = (r: Row) => JSON.stringify([r.id, r.region]);
    const parts = await sourceRows(`SELECT id::text, region, v FROM ${ctx.qualified.parts}`);
    const rebuiltParts = rebuild(messages, ctx.tables.parts, partKey);
    expect(rebuiltParts.size).toBe(parts.length);
    expect(parts.filter((r) => JSON.stringify(rebuiltParts.get(partKey(r))) !== JSON.stringify(r)).slice(0, 5)).toEqual([]);
    // Under the parent's name, as the stream publishes them (publish_via_partition_root).
    expect([...new Set(messages.map((m) => envelopeOf(m).table))].sort()).toEqual([ctx.tables.heap, ctx.tables.icu, ctx.tables.parts].sort());

    const multiset = (rows: Row[]) => rows.map((r) => JSON.stringify([r.a, r.b])).sort();
    const heap = await sourceRows(`SELECT a::text, b FROM ${ctx.qualified.heap}`);
    expect(heap.length).toBe(6003);
    expect(multiset(of(ctx.tables.heap).map((m) => envelopeOf(m).data[0]))).toEqual(multiset(heap));

    const icu = await sourceRows(`SELECT k, n::text FROM ${ctx.qualified.icu}`);
    const icuMessages = of(ctx.tables.icu);
    expect(icuMessages).toHaveLength(9000); // each key once: no chunk boundary skipped or repeated a row
    const rebuiltIcu = rebuild(messages, ctx.tables.icu, (r) => r.k!);
    expect(icu.filter((r) => JSON.stringify(rebuiltIcu.get(r.k!)) !== JSON.stringify(r)).slice(0, 5)).toEqual([]);

    const view = await snapshotOf(ctx.task.id);
    expect(view.status).toBe('completed');
    expect(Object.fromEntries(view.tables.map((t) => [t.table, [t.state, t.rowsSent]]))).toEqual({
      [ctx.tables.parts]: ['done', 4500],
      [ctx.tables.heap]: ['done', 6003],
      [ctx.tables.icu]: ['done', 9000],
    });
  }, 300_000);

  it('a table dropped while it is read ends its snapshot with the reason; the other tables arrive complete and the stream goes on', async () => {
    const ctx = await startTask({
      tables: {
        doomed: { ddl: (q) => `CREATE TABLE ${q} (id integer PRIMARY KEY, v text); INSERT INTO ${q} SELECT g, md5(g::text) FROM generate_series(1, 40000) g; ANALYZE ${q}` },
        kept: { ddl: (q) => `CREATE TABLE ${q} (id integer PRIMARY KEY, v text); INSERT INTO ${q} SELECT g, md5(g::text) FROM generate_series(1, 3000) g; ANALYZE ${q}` },
      },
      topics: { out: 1 },
      policy: ({ tables, topics }) => ({
        objectScope: 'tables',
        tables: [
          { schema: 'shop', table: tables.doomed },
          { schema: 'shop', table: tables.kept },
        ],
        topicPolicy: { mode: 'specific', topic: topics.out },
        syncMode: 'full+incremental',
      }),
      input: { throttle: { snapshotRowsPerSecond: 4000 } },
      waitFor: 'FULL_SYNC',
    });
    started.push(ctx.task.id);
    await waitFor('a chunk of the big table acknowledged', async () => {
      const t = (await snapshotOf(ctx.task.id)).tables.find((x) => x.table === ctx.tables.doomed);
      return t && t.chunksDone >= 1 ? true : undefined;
    }, 60_000, 100);
    await onSource(`DROP TABLE ${ctx.qualified.doomed}`);
    await api.waitForStatus(ctx.task.id, 'INCREMENTAL', 120_000);
    const view = await snapshotOf(ctx.task.id);
    const doomed = view.tables.find((t) => t.table === ctx.tables.doomed)!;
    expect(doomed.state).toBe('failed');
    expect(doomed.rowsSent).toBeLessThan(40000);
    expect(view.tables.find((t) => t.table === ctx.tables.kept)).toMatchObject({ state: 'done', rowsSent: 3000 });
    const logs = await api.request<{ items: { message: string }[] }>('GET', `/api/v1/tasks/${ctx.task.id}/logs?limit=200`);
    expect(logs.body.items.map((l) => l.message).join('\n')).toContain(`snapshot of shop.${ctx.tables.doomed} ended: the table no longer exists`);

    await onSource(`INSERT INTO ${ctx.qualified.kept} VALUES (99999, 'marker')`);
    const messages = await readAllUpTo(ctx.topics.out, (e) => e.data[0].v === 'marker');
    const kept = await sourceRows(`SELECT id::text, v FROM ${ctx.qualified.kept}`);
    const rebuilt = rebuild(messages, ctx.tables.kept, (r) => r.id!);
    expect(rebuilt.size).toBe(kept.length);
    expect(kept.filter((r) => JSON.stringify(rebuilt.get(r.id!)) !== JSON.stringify(r)).slice(0, 5)).toEqual([]);
  });

  it('reads a table of 5 MB rows with the worker under 400 MB resident, whatever the compressed size on disk suggests', async () => {
    // 310 MB of text: more than the bound on top of the worker's own ~130 MB, so only a snapshot
    // that holds a few rows at a time passes (the heap is capped at 128 MB: one that does not dies).
    const rows = 60;
    const topic = `wbtest_big_${Date.now()}`;
    // 5 MB messages need a topic that accepts them (the broker's default is 1 MB).
    const admin = new Kafka({ clientId: 'wbtest', brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }] }] });
    } finally {
      await admin.disconnect();
    }
    const ctx = await startTask({
      tables: {
        // repeat() compresses about 100 to 1 in TOAST: the table looks like 60 kB rows on disk.
        big: { ddl: (q) => `CREATE TABLE ${q} (id integer PRIMARY KEY, payload text); INSERT INTO ${q} SELECT g, repeat(md5(g::text), 163840) FROM generate_series(1, ${rows}) g; ANALYZE ${q}` },
      },
      policy: ({ tables }) => ({
        objectScope: 'tables',
        tables: [{ schema: 'shop', table: tables.big }],
        topicPolicy: { mode: 'specific', topic },
        syncMode: 'full+incremental',
      }),
      waitFor: 'FULL_SYNC',
    });
    started.push(ctx.task.id);
    const pid = await waitFor('the worker process', async () => workerPid(ctx.task.id) ?? undefined);
    let peak = residentBytes(pid) ?? 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, residentBytes(pid) ?? 0);
    }, 50);
    try {
      await api.waitForStatus(ctx.task.id, 'INCREMENTAL', 300_000);
    } finally {
      clearInterval(sampler);
    }
    expect(workerPid(ctx.task.id), 'the same worker read the whole table').toBe(pid);
    console.log(`worker peak RSS during the snapshot of ${rows} rows of 5 MB: ${(peak / 1024 / 1024).toFixed(1)} MB`);
    expect(peak).toBeLessThan(400 * 1024 * 1024);

    const messages = await kafka.readUntil(topic, (all) => all.length >= rows, `${rows} messages on ${topic}`, 180_000);
    const digests = await sourceRows(`SELECT id::text, md5(payload) AS digest FROM ${ctx.qualified.big} ORDER BY id`);
    const { createHash } = await import('node:crypto');
    const received = new Map(messages.map((m) => envelopeOf(m).data[0]).map((r) => [r.id!, createHash('md5').update(r.payload!).digest('hex')]));
    expect(received.size).toBe(rows);
    expect(digests.filter((d) => received.get(d.id!) !== d.digest)).toEqual([]);
  }, 420_000);
});
