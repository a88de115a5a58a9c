import { describe, expect, it } from 'vitest';
import { COLUMN_FLAG_KEY, SNAPSHOT_MESSAGE_PREFIX, type LogicalMessage, type RelationMessage, type RelationSchema, type Tuple } from '@walbridge/domain';
import { createChangeEncoder } from '../encoding/change-encoder';
import type { TableRoute } from '../routing';
import type { OutboundMessage } from '../sink/kafka-sink';
import { ChunkMerger, type ChunkOutcome } from './chunk-merger';
import type { TableShape } from './snapshot-reader';

const relation: RelationMessage = {
  tag: 'relation',
  relationId: 42,
  schema: 'shop',
  table: 'items',
  replicaIdentity: 'd',
  columns: [
    { flags: COLUMN_FLAG_KEY, isKey: true, name: 'id', typeOid: 20, typeMod: -1 },
    { flags: 0, isKey: false, name: 'v', typeOid: 25, typeMod: -1 },
  ],
};
const schema: RelationSchema = {
  relationId: 42,
  database: 'demo',
  schema: 'shop',
  table: 'items',
  replicaIdentity: 'd',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'v', type: 'text' },
  ],
  pkNames: ['id'],
};
const shape: TableShape = { schema: 'shop', table: 'items', relation, types: ['bigint', 'text'], keyPositions: [0], rowsEstimated: 4, bytesPerRow: 10, pages: 1, heaps: [], maxRowBytes: 0 };
const route: TableRoute = { topic: 'out', operations: new Set(['INSERT']), partitionOf: () => 0, encoder: createChangeEncoder('json', schema, {}), gate: null, notes: [], truncatePartitions: [0], columns: null };
const rows: Tuple[] = [['1', 'a'], ['2', 'b'], ['3', 'c'], ['4', 'd']];

function watermark(w: 'l' | 'h', c: string, lsn = 100n): LogicalMessage {
  return { tag: 'message', transactional: false, lsn, prefix: SNAPSHOT_MESSAGE_PREFIX, content: Buffer.from(JSON.stringify({ w, c })) };
}

function setup() {
  const sent: OutboundMessage[][] = [];
  const acks: (() => void)[] = [];
  const merger = new ChunkMerger({
    // The sender encodes deferred rows before it sends them (BatchSender.materialize): so does this sink.
    sink: () => ({ enqueueSnapshot: (m, onAcked) => (sent.push(m.map((x) => (x.message.encode?.(), x.message))), acks.push(onAcked)), unacknowledgedBytes: 0 }),
    onFatal: (e) => {
      throw e;
    },
    now: () => 1_700_000_000_000,
  });
  merger.relation(relation);
  return { merger, sent, acks };
}

async function settle<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 10))]);
}

describe('ChunkMerger', () => {
  it('sends the chunk at its high watermark minus the keys the stream changed inside the window', async () => {
    const { merger, sent } = setup();
    const chunk = merger.open('run:1', { backfillId: '0b9f3c1e-1111-4222-8333-944445555666', name: 'shop.items', shape, route, gate: null });
    chunk.opened(new Set());
    merger.change(42, 'UPDATE', ['1', 'before the window'], null, null); // before the low watermark: the chunk is newer
    merger.message(watermark('l', 'run:1'));
    chunk.read({ rows, nextPosition: ['4'], last: true });
    merger.change(42, 'UPDATE', ['2', 'b2'], null, null);
    merger.change(42, 'DELETE', null, null, ['3', null]);
    merger.change(42, 'UPDATE', ['9', 'x'], null, ['4', null]); // key changed from 4 to 9
    merger.change(43, 'DELETE', null, null, ['1', null]); // another table
    expect(await settle(chunk.outcome)).toBe('pending');
    merger.message(watermark('h', 'run:1', 0x1234n));
    const outcome = (await chunk.outcome) as Extract<ChunkOutcome, { reread: false }>;
    expect(outcome.sent).toBe(1);
    expect(sent[0].map((m) => [m.key, m.snapshot, m.id.startsWith('snapshot-0b9f3c1e1111-')])).toEqual([['["1"]', true, true]]);
    expect(JSON.parse(sent[0][0].value!.toString())).toMatchObject({ type: 'INSERT', snapshot: true, data: [{ id: '1', v: 'a' }], lsn: '0/1234' });
  });

  it('reads the chunk again when a transaction running at its snapshot committed before the low watermark', async () => {
    const { merger, sent } = setup();
    const chunk = merger.open('run:2', { backfillId: 'b', name: 'shop.items', shape, route, gate: null });
    chunk.opened(new Set([777]));
    merger.committed(777);
    merger.message(watermark('l', 'run:2'));
    chunk.read({ rows, nextPosition: ['4'], last: true });
    merger.message(watermark('h', 'run:2'));
    expect(await chunk.outcome).toEqual({ reread: true });
    expect(sent).toEqual([]);
  });

  it('reads the chunk again when its table is truncated inside the window', async () => {
    const { merger, sent } = setup();
    const chunk = merger.open('run:5', { backfillId: 'b', name: 'shop.items', shape, route, gate: null });
    chunk.opened(new Set());
    merger.message(watermark('l', 'run:5'));
    chunk.read({ rows, nextPosition: ['4'], last: true });
    merger.truncated([42]);
    merger.message(watermark('h', 'run:5'));
    expect(await chunk.outcome).toEqual({ reread: true });
    expect(sent).toEqual([]);
  });

  it('ignores the watermarks of another run (replayed by the slot after a restart)', async () => {
    const { merger, sent } = setup();
    const chunk = merger.open('run:3', { backfillId: 'b', name: 'shop.items', shape, route, gate: null });
    chunk.opened(new Set());
    merger.message(watermark('l', 'old:3'));
    merger.message(watermark('h', 'old:3'));
    expect(await settle(chunk.outcome)).toBe('pending');
    expect(sent).toEqual([]);
  });

  it('drops one row per old image for a table without a key', async () => {
    const { merger, sent } = setup();
    const keyless: TableShape = { ...shape, keyPositions: null };
    const noPk: TableRoute = { ...route, encoder: createChangeEncoder('json', { ...schema, pkNames: [], replicaIdentity: 'f' }, {}) };
    const chunk = merger.open('run:4', { backfillId: 'b', name: 'shop.items', shape: keyless, route: noPk, gate: null });
    chunk.opened(new Set());
    merger.message(watermark('l', 'run:4'));
    chunk.read({ rows: [['1', 'a'], ['1', 'a'], ['2', 'b']], nextPosition: ['1'], last: true });
    merger.change(42, 'DELETE', null, ['1', 'a'], null);
    merger.change(42, 'INSERT', ['2', 'b'], null, null); // an INSERT never removes a chunk row
    merger.message(watermark('h', 'run:4'));
    await chunk.outcome;
    expect(sent[0].map((m) => [m.key, JSON.parse(m.value!.toString()).data[0]])).toEqual([
      [null, { id: '1', v: 'a' }],
      [null, { id: '2', v: 'b' }],
    ]);
    expect(new Set(sent[0].map((m) => m.id)).size).toBe(2);
  });
});
