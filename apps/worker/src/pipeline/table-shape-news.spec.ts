import { describe, expect, it, vi } from 'vitest';
import type { PolicyConfig } from '@walbridge/contracts';
import type { PgOutputMessage, RelationMessage, RelationSchema } from '@walbridge/domain';
import { createRouter } from '../routing';
import type { OutboundMessage } from '../sink/kafka-sink';
import { ChangePipeline } from './change-pipeline';
import { policyConfig } from './orders-stream.fixture';

const relation = (table: string, columns: [string, number][]): RelationMessage => ({
  tag: 'relation',
  relationId: 42,
  schema: 'shop',
  table,
  replicaIdentity: 'd',
  columns: columns.map(([name, typeOid], i) => ({ flags: i === 0 ? 1 : 0, isKey: i === 0, name, typeOid, typeMod: -1 })),
});

const TYPE_NAMES: Record<number, string> = { 20: 'bigint', 25: 'text', 16: 'boolean' };
const describeIt = async (r: RelationMessage): Promise<RelationSchema> => ({
  relationId: r.relationId,
  database: 'demo',
  schema: r.schema,
  table: r.table,
  replicaIdentity: r.replicaIdentity,
  columns: r.columns.map((c) => ({ name: c.name, type: TYPE_NAMES[c.typeOid] })),
  pkNames: r.columns.filter((c) => c.isKey).map((c) => c.name),
});

function pipelineFor(policy: Partial<PolicyConfig>, partitions = 1) {
  const base = policyConfig({ dmlOperations: ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'], schemaChangeTopic: 'ddl' });
  const sent: OutboundMessage[] = [];
  const notes: string[] = [];
  const fatal = vi.fn();
  const router = createRouter({ ...base, ...policy }, new Map([['orders', partitions], ['ddl', 1]]));
  const pipeline = new ChangePipeline({
    source: { pause: vi.fn(), resume: vi.fn(), confirm: vi.fn(async () => undefined) },
    sink: { send: async (batch) => void sent.push(...batch) },
    describe: describeIt,
    route: router,
    onFatal: fatal,
    onNote: (n) => notes.push(n),
    schemaChangeTopic: { topic: 'ddl', partitions: 1 },
    confirmedLsn: 0x100n,
    now: () => 1_700_000_001_000,
  });
  return { pipeline, sent, notes, fatal, drained: () => pipeline.drained() };
}

const begin = (lsn: bigint): PgOutputMessage => ({ tag: 'begin', finalLsn: lsn, commitTime: 1_700_000_000_000, xid: 9 });
const commit = (lsn: bigint): PgOutputMessage => ({ tag: 'commit', flags: 0, commitLsn: lsn, endLsn: lsn + 0x10n, commitTime: 1_700_000_000_000 });
const truncate = (options: number): PgOutputMessage => ({ tag: 'truncate', relationIds: [42], options, cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0 });
const json = (m: OutboundMessage) => JSON.parse(m.value!.toString()) as Record<string, unknown>;

describe('ChangePipeline: TRUNCATE and new table shapes', () => {
  it('sends a TRUNCATE as one message with its options, taking an index like a row change', async () => {
    const h = pipelineFor({});
    for (const m of [begin(0x200n), relation('orders', [['id', 20], ['note', 25]]), { tag: 'insert', relationId: 42, newTuple: ['1', 'x'] } as PgOutputMessage, truncate(2), commit(0x200n)]) h.pipeline.push(m);
    await h.drained();
    expect(h.sent.map((m) => [m.id, json(m).type, json(m).truncate ?? null, m.key])).toEqual([
      ['0000000000000200-00000000', 'INSERT', null, '["1"]'],
      ['0000000000000200-00000001', 'TRUNCATE', { cascade: false, restartIdentity: true }, null],
    ]);
    expect(h.fatal).not.toHaveBeenCalled();
  });

  it('sends a TRUNCATE to every partition when rows are spread by key', async () => {
    const h = pipelineFor({ partitionPolicy: 'primaryKey' }, 3);
    for (const m of [begin(0x200n), relation('orders', [['id', 20], ['note', 25]]), truncate(1), commit(0x200n)]) h.pipeline.push(m);
    await h.drained();
    expect(h.sent.map((m) => m.partition)).toEqual([0, 1, 2]);
    expect(new Set(h.sent.map((m) => m.id)).size).toBe(1);
  });

  it('logs a TRUNCATE the operations leave out instead of sending it, and the ids of later changes stay', async () => {
    const h = pipelineFor({ dmlOperations: ['INSERT', 'UPDATE', 'DELETE'] });
    for (const m of [begin(0x200n), relation('orders', [['id', 20], ['note', 25]]), truncate(3), { tag: 'insert', relationId: 42, newTuple: ['2', 'y'] } as PgOutputMessage, commit(0x200n)]) h.pipeline.push(m);
    await h.drained();
    expect(h.sent.map((m) => m.id)).toEqual(['0000000000000200-00000001']);
    expect(h.notes).toEqual([
      "TRUNCATE RESTART IDENTITY CASCADE of shop.orders (0000000000000200-00000000) skipped: TRUNCATE is not among the task's operations for this table, so its rows stay downstream",
    ]);
  });

  it('follows a renamed table by OID, logs the rename and column changes, and announces the new shape on the schema-change topic', async () => {
    const h = pipelineFor({});
    const insert = (id: string, ...rest: string[]): PgOutputMessage => ({ tag: 'insert', relationId: 42, newTuple: [id, ...rest] });
    for (const m of [
      begin(0x200n), relation('orders', [['id', 20], ['note', 25]]), insert('1', 'x'), commit(0x200n),
      begin(0x300n), relation('orders2', [['id', 20], ['note', 25], ['flag', 16]]), insert('2', 'y', 't'), commit(0x300n),
    ]) h.pipeline.push(m);
    await h.drained();
    expect(h.sent.map((m) => [m.topic, json(m).table, json(m).type])).toEqual([
      ['orders', 'orders', 'INSERT'],
      ['ddl', 'orders2', 'DDL'],
      ['orders', 'orders2', 'INSERT'],
    ]);
    expect(json(h.sent[1])).toMatchObject({
      isDdl: true,
      columnType: { id: 'bigint', note: 'text', flag: 'boolean' },
      changes: ['table shop.orders renamed to shop.orders2', 'column flag added (boolean)'],
      renamedFrom: 'shop.orders',
    });
    expect(h.sent[1].id).toBe(h.sent[2].id);
    expect(h.notes).toEqual(['table shop.orders is now shop.orders2; its changes still go to topic orders', 'schema of shop.orders2 changed: column flag added (boolean)']);
  });
});
