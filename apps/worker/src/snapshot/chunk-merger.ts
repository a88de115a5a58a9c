import {
  DataException,
  SNAPSHOT_MESSAGE_PREFIX,
  SnapshotWindow,
  SnapshotMessageIds,
  parseWatermark,
  type ChangeKind,
  type LogicalMessage,
  type RelationMessage,
  type Tuple,
} from '@walbridge/domain';
import type { RowGate, TableRoute } from '../routing';
import { messageBytes, type OutboundMessage } from '../sink/kafka-sink';
import { rowBytes, type ChunkRead, type TableShape } from './snapshot-reader';
import type { StreamTap } from './stream-tap';

/** Where snapshot rows go: the change pipeline, at the high watermark's place in the stream. */
export interface SnapshotSink {
  enqueueSnapshot(messages: readonly { message: OutboundMessage; bytes: number }[], onAcked: () => void): void;
  readonly unacknowledgedBytes: number;
}

/** The table a chunk belongs to, as the merger needs it to drop and encode its rows. */
export interface ChunkTarget {
  backfillId: string;
  /** `schema.table`, as the stream's Relation messages name it. */
  name: string;
  shape: TableShape;
  route: TableRoute;
  /** The backfill's own filter, on top of the route's. */
  gate: RowGate | null;
}

/** reread: the window showed the chunk may be stale; sent: rows enqueued, `acked` once Kafka has them all. */
export type ChunkOutcome = { reread: true } | { reread: false; sent: number; acked: Promise<void> };

/** The callbacks SnapshotReader.readChunk takes, and what the high watermark resolves. */
export interface OpenChunk {
  opened(inProgress: Set<number>): void;
  read(chunk: ChunkRead): void;
  outcome: Promise<ChunkOutcome>;
  /** The read failed: forget the chunk. */
  abandon(): void;
}

interface ActiveChunk {
  id: string;
  target: ChunkTarget;
  window: SnapshotWindow;
  /** S's in-progress transactions, once S is taken (after the low watermark is written). */
  inProgress: Set<number> | null;
  /** How many commits the stream had shown when it reached the low watermark. */
  lowCommit: number;
  chunk: ChunkRead | null;
  readAt: number;
  resolve(outcome: ChunkOutcome): void;
}

const RECENT_COMMITS = 65_536;

export function keyText(tuple: Tuple, positions: readonly number[]): string | null {
  const values: string[] = [];
  for (const p of positions) {
    const v = tuple[p];
    if (typeof v !== 'string') return null;
    values.push(v);
  }
  return JSON.stringify(values);
}

/**
 * The stream side of the snapshot (StreamTap): follows the watermark windows of the chunks being
 * read and, at a chunk's high watermark, enqueues its remaining rows right there in the stream.
 * Everything here runs synchronously in stream order (see SnapshotWindow for why it is exact).
 */
export class ChunkMerger implements StreamTap {
  private readonly active = new Map<string, ActiveChunk>();
  private readonly activeByTable = new Map<string, Set<ActiveChunk>>();
  private readonly relations = new Map<number, { name: string; columns: string[] }>();
  /** Stream key positions per (stream relation, snapshot shape): column names resolved once. */
  private readonly keyPositions = new Map<string, number[] | null>();
  /** Recent commits by xid, with their place in the stream (a commit counter). */
  private readonly recentCommits = new Map<number, number>();
  private commits = 0;

  constructor(
    private readonly options: {
      sink(): SnapshotSink;
      onFatal(error: Error): void;
      now(): number;
    },
  ) {}

  /** Registers a chunk before its low watermark is written (the stream must know it when it arrives). */
  open(id: string, target: ChunkTarget): OpenChunk {
    let resolve!: (outcome: ChunkOutcome) => void;
    const outcome = new Promise<ChunkOutcome>((r) => (resolve = r));
    const active: ActiveChunk = { id, target, window: new SnapshotWindow(), inProgress: null, lowCommit: -1, chunk: null, readAt: 0, resolve };
    this.active.set(id, active);
    let set = this.activeByTable.get(target.name);
    if (!set) this.activeByTable.set(target.name, (set = new Set()));
    set.add(active);
    return {
      opened: (inProgress) => (active.inProgress = inProgress),
      read: (chunk) => {
        active.chunk = chunk;
        active.readAt = this.options.now();
      },
      outcome,
      abandon: () => this.forget(active),
    };
  }

  relation(message: RelationMessage): void {
    this.relations.set(message.relationId, { name: `${message.schema}.${message.table}`, columns: message.columns.map((c) => c.name) });
    for (const key of [...this.keyPositions.keys()]) if (key.startsWith(`${message.relationId}:`)) this.keyPositions.delete(key);
  }

  committed(xid: number): void {
    this.recentCommits.delete(xid);
    this.recentCommits.set(xid, ++this.commits);
    // A Map iterates in insertion order: the first one is the oldest.
    if (this.recentCommits.size > RECENT_COMMITS) this.recentCommits.delete(this.recentCommits.keys().next().value as number);
  }

  change(relationId: number, kind: ChangeKind, newTuple: Tuple | null, oldTuple: Tuple | null, keyTuple: Tuple | null): void {
    if (!this.active.size) return;
    const relation = this.relations.get(relationId);
    const chunks = relation && this.activeByTable.get(relation.name);
    if (!relation || !chunks?.size) return;
    for (const chunk of chunks) {
      const window = chunk.window;
      if (!window.isOpen) continue;
      const shape = chunk.target.shape;
      if (shape.keyPositions) {
        const positions = this.streamKeyPositions(relationId, relation.columns, shape);
        if (!positions) continue;
        // An UPDATE that changes the key touches both keys.
        for (const tuple of [newTuple, keyTuple, oldTuple]) {
          const key = tuple && keyText(tuple, positions);
          if (key) window.keyChanged(key);
        }
      } else if (kind !== 'INSERT' && oldTuple) {
        window.rowChanged(JSON.stringify(oldTuple));
      }
    }
  }

  truncated(relationIds: readonly number[]): void {
    if (!this.active.size) return;
    for (const id of relationIds) {
      const relation = this.relations.get(id);
      for (const chunk of (relation && this.activeByTable.get(relation.name)) || []) chunk.window.truncated();
    }
  }

  message(message: LogicalMessage): void {
    if (message.prefix !== SNAPSHOT_MESSAGE_PREFIX || !this.active.size) return;
    const watermark = parseWatermark(message.content.toString('utf8'));
    const chunk = watermark && this.active.get(watermark.c);
    if (!chunk) return; // another run's watermark, replayed from the slot
    if (watermark.w === 'l') {
      chunk.window.open();
      chunk.lowCommit = this.commits;
      return;
    }
    this.forget(chunk);
    if (chunk.window.isOpen && chunk.inProgress) {
      chunk.window.close(chunk.inProgress, (xid) => (this.recentCommits.get(xid) ?? Infinity) <= chunk.lowCommit);
    }
    if (!chunk.window.isOpen || !chunk.inProgress || !chunk.chunk || chunk.window.mustReread) {
      chunk.resolve({ reread: true });
      return;
    }
    this.emit(chunk, message.lsn);
  }

  private forget(chunk: ActiveChunk): void {
    this.active.delete(chunk.id);
    this.activeByTable.get(chunk.target.name)?.delete(chunk);
  }

  private streamKeyPositions(relationId: number, columns: readonly string[], shape: TableShape): number[] | null {
    const cacheKey = `${relationId}:${shape.relation.relationId}`;
    let positions = this.keyPositions.get(cacheKey);
    if (positions === undefined) {
      const mapped = shape.keyPositions!.map((p) => columns.indexOf(shape.relation.columns[p].name));
      positions = mapped.every((p) => p >= 0) ? mapped : null;
      this.keyPositions.set(cacheKey, positions);
    }
    return positions;
  }

  /**
   * The chunk's remaining rows, enqueued here in the stream. Their values are encoded later, by
   * the sender, right before their batch is built or while the batch before is in flight
   * (OutboundMessage.encode): encoding a whole chunk here, at the high watermark, left Kafka idle
   * for that long on every chunk, since the watermark waits for the chunk before to be
   * acknowledged. The bytes a row counts for until then are estimated from the first row's.
   */
  private emit(active: ActiveChunk, lsn: bigint): void {
    const { shape, route, gate, name, backfillId } = active.target;
    const chunk = active.chunk!;
    const keyPositions = shape.keyPositions;
    const keyOf = keyPositions ? (row: Tuple) => keyText(row, keyPositions) ?? '' : () => '';
    const rows = active.window.remaining(chunk.rows, keyOf, keyPositions ? undefined : (row) => JSON.stringify(row));
    const out: { message: OutboundMessage; bytes: number }[] = [];
    const ts = this.options.now();
    const es = active.readAt;
    const ids = new SnapshotMessageIds(backfillId, name);
    let overhead = -1;
    for (const row of rows) {
      if (route.gate !== null && !route.gate.passes('INSERT', row, null, null)) continue;
      if (gate && !gate.passes('INSERT', row, null, null)) continue;
      let key: string | Buffer | null;
      try {
        key = route.encoder.messageKey(row);
      } catch (error) {
        this.options.onFatal(new DataException(name, '', `a snapshot row cannot be encoded: ${(error as Error).message}`, { cause: error }));
        return;
      }
      const message: OutboundMessage = { topic: route.topic, partition: route.partitionOf(key), key, value: null, id: '', table: name, snapshot: true, encode: null };
      message.encode = () => {
        message.encode = null;
        try {
          // An Avro key (avro-registry) is bytes: the id is then named by the key's text.
          message.id = ids.idOf(typeof key === 'string' ? key : keyPositions ? keyOf(row) : JSON.stringify(row));
          message.value = route.encoder.encode({ kind: 'INSERT', newTuple: row, commitLsn: lsn, index: 0, xid: 0, es, ts, snapshot: { id: message.id } });
        } catch (error) {
          throw new DataException(name, message.id, `a snapshot row cannot be encoded: ${(error as Error).message}`, { cause: error });
        }
      };
      if (overhead < 0) {
        try {
          message.encode();
        } catch (error) {
          this.options.onFatal(error as Error);
          return;
        }
        overhead = Math.max(0, messageBytes(message) - rowBytes(row));
        out.push({ message, bytes: messageBytes(message) });
      } else {
        out.push({ message, bytes: rowBytes(row) + overhead });
      }
    }
    let acked!: () => void;
    const ackedPromise = new Promise<void>((resolve) => (acked = resolve));
    this.options.sink().enqueueSnapshot(out, acked);
    active.resolve({ reread: false, sent: out.length, acked: ackedPromise });
  }
}
