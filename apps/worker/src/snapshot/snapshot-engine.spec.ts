import { describe, expect, it } from 'vitest';
import { COLUMN_FLAG_KEY, SNAPSHOT_MESSAGE_PREFIX, type RelationMessage, type RelationSchema, type Tuple } from '@walbridge/domain';
import type { BackfillPlan, WorkerToScheduler } from '@walbridge/queue';
import { createChangeEncoder } from '../encoding/change-encoder';
import type { OutboundMessage } from '../sink/kafka-sink';
import { SnapshotEngine } from './snapshot-engine';
import type { ChunkRead, SnapshotReader, TableShape } from './snapshot-reader';

const relation: RelationMessage = {
  tag: 'relation',
  relationId: 7,
  schema: 'shop',
  table: 'items',
  replicaIdentity: 'd',
  columns: [{ flags: COLUMN_FLAG_KEY, isKey: true, name: 'id', typeOid: 23, typeMod: -1 }],
};
const schema: RelationSchema = { relationId: 7, database: 'demo', schema: 'shop', table: 'items', replicaIdentity: 'd', columns: [{ name: 'id', type: 'integer' }], pkNames: ['id'] };
const ROWS: Tuple[] = Array.from({ length: 2_500 }, (_, i) => [String(i + 1)]);

/** A reader over ROWS that plays the stream too: the watermarks reach the engine's tap as it writes them. */
function fakeReader(engine: () => SnapshotEngine, reads: (string[] | null)[], events: string[] = []): SnapshotReader {
  const shape: TableShape = { schema: 'shop', table: 'items', relation, types: ['integer'], keyPositions: [0], rowsEstimated: ROWS.length, bytesPerRow: 10, pages: 10, heaps: [], maxRowBytes: 0 };
  const mark = (w: 'l' | 'h', c: string) =>
    engine().tap.message({ tag: 'message', transactional: false, lsn: 1n, prefix: SNAPSHOT_MESSAGE_PREFIX, content: Buffer.from(JSON.stringify({ w, c })) });
  return {
    describe: async () => shape,
    readChunk: async (_s: TableShape, after: string[] | null, limit: number, id: string, opened: (x: Set<number>) => void, read: (c: ChunkRead) => void, _max: number, beforeHigh: Promise<void>) => {
      reads.push(after);
      events.push(`read ${after?.[0] ?? 0}`);
      opened(new Set());
      mark('l', id);
      const start = after ? Number(after[0]) : 0;
      const rows = ROWS.filter((r) => Number(r[0]) > start).slice(0, limit);
      read({ rows, nextPosition: rows.length ? [rows[rows.length - 1][0] as string] : after, last: rows.length < limit });
      await beforeHigh;
      mark('h', id);
    },
    close: async () => undefined,
  } as unknown as SnapshotReader;
}

function run(plan: BackfillPlan, ackMs = 1) {
  const reports: WorkerToScheduler[] = [];
  const sent: OutboundMessage[] = [];
  const reads: (string[] | null)[] = [];
  const events: string[] = [];
  const engine: SnapshotEngine = new SnapshotEngine({
    connect: async () => fakeReader(() => engine, reads, events),
    describe: async () => schema,
    route: () => ({ topic: 'out', operations: new Set(['INSERT']), partitionOf: () => 0, encoder: createChangeEncoder('json', schema, {}), gate: null, notes: [], truncatePartitions: [0], columns: null }),
    sink: () => ({
      enqueueSnapshot: (messages, onAcked) => {
        // The sender encodes deferred rows before it sends them (BatchSender.materialize).
        sent.push(...messages.map((m) => (m.message.encode?.(), m.message)));
        const last = messages.at(-1) ? JSON.parse(messages.at(-1)!.message.value!.toString()).data[0].id : '-';
        events.push(`enqueue ..${last}`);
        // Kafka acknowledges a moment later
        setTimeout(() => {
          events.push(`ack ..${last}`);
          onAcked();
        }, ackMs);
      },
      unacknowledgedBytes: 0,
    }),
    report: (m) => reports.push(m),
    log: () => undefined,
    onFatal: (e) => {
      throw e;
    },
    runId: 'run',
    parallel: 1,
  });
  engine.start([plan], [{ schema: 'shop', table: 'items' }]);
  const finished = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (reports.some((r) => r.type === 'snapshot' && r.status === 'completed')) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  return { reports, sent, reads, events, finished, engine };
}

const table = { schema: 'shop', table: 'items', filter: null, rowsEstimated: 0, rowsSent: 0, chunksDone: 0, chunksTotal: 0 };

describe('SnapshotEngine', () => {
  it('reads a table chunk by chunk and reports each position only after Kafka acknowledged it', async () => {
    const { reports, sent, reads, finished, engine } = run({ id: 'b1', kind: 'initial', allTables: true, tables: [] });
    await finished;
    engine.stop();
    expect(sent).toHaveLength(ROWS.length);
    expect(reads[0]).toBeNull();
    const progress = reports.flatMap((r) => (r.type === 'snapshot' && r.table ? [r.table] : []));
    expect(progress.at(-1)).toMatchObject({ state: 'done', rowsSent: ROWS.length, position: [String(ROWS.length)] });
    // Positions only move forward, each after the rows before it were sent.
    const positions = progress.map((p) => Number(p.position?.[0] ?? 0));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(reports.filter((r) => r.type === 'snapshot' && r.status).map((r) => (r as { status: string }).status)).toEqual(['running', 'completed']);
  });

  it('reads the next chunk while Kafka acknowledges the one before, and sends it only after that acknowledgement', async () => {
    const { events, sent, finished, engine } = run({ id: 'b5', kind: 'initial', allTables: true, tables: [] }, 30);
    await finished;
    engine.stop();
    expect(sent).toHaveLength(ROWS.length);
    // 2,000 rows then 500: the second chunk is read before the first is acknowledged, and
    // enqueued only after (at most one chunk per table unacknowledged: what a restart re-sends).
    expect(events).toEqual(['read 0', 'enqueue ..2000', 'read 2000', 'ack ..2000', 'enqueue ..2500', 'ack ..2500']);
  });

  it('resumes at the stored position: rows before it are not read again', async () => {
    const { sent, reads, finished, engine } = run({
      id: 'b2',
      kind: 'manual',
      allTables: false,
      tables: [{ ...table, state: 'running', position: ['2000'], rowsSent: 2000, chunksDone: 1 }],
    });
    await finished;
    engine.stop();
    expect(reads[0]).toEqual(['2000']);
    expect(sent.map((m) => JSON.parse(m.value!.toString()).data[0].id)).toEqual(ROWS.slice(2000).map((r) => r[0]));
  });

  it('completes at once a backfill whose tables are all done', async () => {
    const done = run({ id: 'b3', kind: 'manual', allTables: false, tables: [{ ...table, state: 'done', position: ['2500'] }] });
    await done.finished;
    done.engine.stop();
    expect(done.sent).toEqual([]);
  });

  it('keeps a table the worker does not capture yet waiting, never failed, and reads it once the publication takes it', async () => {
    const other = run({ id: 'b4', kind: 'manual', allTables: false, tables: [{ ...table, table: 'elsewhere', state: 'pending', position: null }] });
    await new Promise((r) => setTimeout(r, 50));
    expect(other.reports.filter((r) => r.type === 'snapshot')).toEqual([]);
    expect(other.engine.busy).toBe(true);
    other.engine.addTables([{ schema: 'shop', table: 'elsewhere' }]);
    await other.finished;
    other.engine.stop();
    const completed = other.reports.find((r) => r.type === 'snapshot' && r.status === 'completed');
    expect(completed).not.toHaveProperty('error');
    expect(other.sent).toHaveLength(ROWS.length);
  });
});
