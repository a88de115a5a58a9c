import {
  DataException,
  TokenBucket,
  formatLsn,
  isRetryable,
  messageId,
  type ChangeKind,
  type PgOutputMessage,
  type RelationMessage,
  type RelationSchema,
  type TruncateMessage,
  type Tuple,
} from '@walbridge/domain';
import type { WorkerProgress } from '@walbridge/queue';
import type { TableRoute } from '../routing';
import type { EncodedMessage } from '../encoding/change-encoder';
import { isTooLarge, type OutboundMessage } from '../sink/kafka-sink';
import type { StreamTap } from '../snapshot/stream-tap';
import { tableShapeNews, truncateNews } from './table-shape-news';

/** What the pipeline counts; bytes read are counted by the replication stream. */
export type PipelineProgress = Omit<WorkerProgress, 'bytesRead'>;

/** The task's throttle (PRODUCT.md §2): what may be sent to Kafka per second. */
export interface ThrottleLimits {
  rowsPerSecond?: number;
  mbPerSecond?: number;
}

export interface PipelineSource {
  pause(): void;
  resume(): void;
  confirm(lsn: bigint): Promise<void>;
}

export interface PipelineSink {
  send(batch: OutboundMessage[]): Promise<void>;
}

export interface PipelineOptions {
  source: PipelineSource;
  sink: PipelineSink;
  describe(relation: RelationMessage): Promise<RelationSchema>;
  route(schema: RelationSchema): TableRoute | null;
  onFatal(error: Error): void;
  /** A line for the task log (once per Relation message). */
  onNote?(message: string): void;
  /**
   * Where a new shape of a captured table is announced as a JSON message (`isDdl: true`):
   * `policy.schemaChangeTopic` and its partition count. Without it the change is only logged.
   */
  schemaChangeTopic?: { topic: string; partitions: number };
  /** Where the slot stands at start: what we may report before anything new is acknowledged. */
  confirmedLsn: bigint;
  /** Where the source's WAL ended when the stream started: the backlog to read before being caught up. */
  backlogEndLsn?: bigint;
  maxBatchBytes?: number;
  maxBatchMessages?: number;
  /** Unacknowledged bytes above which reading from PostgreSQL pauses, and below which it resumes. */
  highWaterBytes?: number;
  lowWaterBytes?: number;
  throttle?: ThrottleLimits;
  now?: () => number;
  /** The snapshot engine (full synchronization, backfills): sees the stream in order. */
  tap?: StreamTap;
}

interface RelationState {
  /** `schema.table`, for data exceptions. */
  name: string;
  /** The relation as its latest Relation message describes it (the per-OID relation cache). */
  schema: RelationSchema;
  route: TableRoute | null;
}

interface Transaction {
  commitLsn: bigint;
  xid: number;
  commitTime: number;
  nextIndex: number;
}

/** A position that may be confirmed once every message enqueued before it is acknowledged. */
interface Marker {
  seq: number;
  lsn: bigint;
  commitTime: number | null;
}

type InboxItem = PgOutputMessage | { tag: 'keepalive'; walEnd: bigint };

/**
 * The worker's data path between the replication stream and Kafka. Changes are encoded and
 * queued as they arrive (never buffered per transaction, so memory does not grow with
 * transaction size); one batch at a time goes to Kafka; a transaction's end LSN is confirmed to
 * PostgreSQL only once Kafka acknowledged every message before it. Reading pauses while too
 * many bytes wait for acknowledgement.
 */
export class ChangePipeline {
  private readonly relations = new Map<number, RelationState>();
  private readonly inbox: InboxItem[] = [];
  private resolving = false;
  private tx: Transaction | null = null;

  private queue: OutboundMessage[] = [];
  private queueHead = 0;
  private queueBytes: number[] = [];
  /**
   * Messages of a batch Kafka refused as too large, re-sent one at a time (a lowered
   * max.message.bytes, or multi-byte text larger than its length suggests): a message that
   * is refused on its own is a data exception.
   */
  private singles: { message: OutboundMessage; bytes: number }[] = [];
  private sending = false;
  private pumpScheduled = false;
  private enqueuedSeq = 0;
  private ackedSeq = 0;
  private unackedBytes = 0;
  private readonly markers: Marker[] = [];
  /** Snapshot chunks waiting for their acknowledgement (enqueueSnapshot). */
  private ackWaiters: { seq: number; run: () => void }[] = [];
  private markersHead = 0;
  private confirmed: bigint;
  /** The furthest position received (commit, message or keepalive). */
  private seen = 0n;
  private readonly startedAt: number;
  private pausedForBackpressure = false;
  private failed: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  private readonly rowBucket: TokenBucket | null;
  private readonly byteBucket: TokenBucket | null;
  private throttleTimer: NodeJS.Timeout | null = null;

  private readonly stats = { rowsRead: 0, rowsWritten: 0, bytesWritten: 0, inserts: 0, updates: 0, deletes: 0 };
  private readonly maxBatchBytes: number;
  private readonly maxBatchMessages: number;
  private readonly highWater: number;
  private readonly lowWater: number;
  private readonly now: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.confirmed = options.confirmedLsn;
    // Kafka refuses a record batch above the broker's message.max.bytes (1 MB by default) and
    // kafkajs sends one record batch per partition, so stay below it whatever the partitioning.
    this.maxBatchBytes = options.maxBatchBytes ?? 900_000;
    this.maxBatchMessages = options.maxBatchMessages ?? 10_000;
    this.highWater = options.highWaterBytes ?? 8 * 1024 * 1024;
    this.lowWater = options.lowWaterBytes ?? 2 * 1024 * 1024;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    const { rowsPerSecond, mbPerSecond } = options.throttle ?? {};
    this.rowBucket = rowsPerSecond ? new TokenBucket(rowsPerSecond, this.now) : null;
    this.byteBucket = mbPerSecond ? new TokenBucket(mbPerSecond * 1024 * 1024, this.now) : null;
  }

  /** Takes the next message of the stream; order is preserved even across relation lookups. */
  push(message: PgOutputMessage): void {
    if (this.failed) return;
    if (this.resolving || this.inbox.length) this.inbox.push(message);
    else this.process(message);
  }

  keepalive(walEnd: bigint, replyRequested: boolean): void {
    if (this.failed) return;
    if (walEnd > this.seen) this.seen = walEnd;
    if (this.resolving || this.inbox.length) this.inbox.push({ tag: 'keepalive', walEnd });
    else this.process({ tag: 'keepalive', walEnd });
    // The server drops a client that does not answer within wal_sender_timeout.
    if (replyRequested) void this.options.source.confirm(this.confirmed).catch(() => undefined);
  }

  get confirmedLsn(): bigint {
    return this.confirmed;
  }

  progress(): PipelineProgress {
    return {
      confirmedLsn: this.confirmed > 0n ? formatLsn(this.confirmed) : null,
      delayMs: this.delayMs(),
      startBacklogRead: this.startBacklogRead(),
      ...this.stats,
    };
  }

  /** Resolves once everything received so far is acknowledged by Kafka and confirmed. */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private process(item: InboxItem): void {
    switch (item.tag) {
      case 'begin':
        this.tx = { commitLsn: item.finalLsn, xid: item.xid, commitTime: item.commitTime, nextIndex: 0 };
        return;
      case 'commit':
        if (this.tx) this.options.tap?.committed(this.tx.xid);
        if (item.endLsn > this.seen) this.seen = item.endLsn;
        this.addMarker(item.endLsn, this.tx?.commitTime ?? item.commitTime);
        this.tx = null;
        return;
      case 'relation':
        this.options.tap?.relation(item);
        this.resolveRelation(item);
        return;
      case 'insert':
        this.change('INSERT', item.relationId, item.newTuple, null, null);
        return;
      case 'update':
        this.change('UPDATE', item.relationId, item.newTuple, item.oldTuple, item.keyTuple);
        return;
      case 'delete':
        this.change('DELETE', item.relationId, null, item.oldTuple, item.keyTuple);
        return;
      case 'truncate':
        this.truncate(item);
        return;
      case 'message':
        // Our heartbeat (or anyone's non-transactional message) between transactions: a safe
        // position to confirm once what came before is acknowledged.
        if (item.lsn > this.seen) this.seen = item.lsn;
        // A snapshot's high watermark enqueues the chunk here, before the position is a marker.
        this.options.tap?.message(item);
        if (!this.tx) this.addMarker(item.lsn, null);
        return;
      case 'keepalive':
        if (!this.tx) this.addMarker(item.walEnd, null);
        return;
      default:
        return; // origin, type: nothing to deliver
    }
  }

  private resolveRelation(message: RelationMessage): void {
    this.resolving = true;
    this.options.source.pause();
    this.options
      .describe(message)
      .then((schema) => {
        const route = this.options.route(schema);
        for (const note of route?.notes ?? []) this.options.onNote?.(note);
        const name = `${schema.schema}.${schema.table}`;
        const before = this.relations.get(message.relationId);
        if (route) this.announceShape(before?.schema ?? null, schema, route);
        this.relations.set(message.relationId, { name, schema, route });
        this.resolving = false;
        if (!this.pausedForBackpressure) this.options.source.resume();
        this.drainInbox();
      })
      .catch((error: Error) =>
        this.fail(isRetryable(error) ? new Error(`cannot describe table ${message.schema}.${message.table}: ${error.message}`, { cause: error }) : error),
      );
  }

  /** Log lines and the schema-change message for a captured table's new Relation message (see tableShapeNews). */
  private announceShape(before: RelationSchema | null, schema: RelationSchema, route: TableRoute): void {
    const news = tableShapeNews(before, schema, route, this.options.schemaChangeTopic, this.tx, this.now());
    for (const note of news.notes) this.options.onNote?.(note);
    if (news.message) this.enqueue(news.message);
  }

  private drainInbox(): void {
    let i = 0;
    while (!this.resolving && !this.failed && i < this.inbox.length) this.process(this.inbox[i++]);
    this.inbox.splice(0, i);
  }

  private change(kind: ChangeKind, relationId: number, newTuple: Tuple | null, oldTuple: Tuple | null, keyTuple: Tuple | null): void {
    const tx = this.tx;
    const relation = this.relations.get(relationId);
    if (!tx || !relation) {
      this.fail(new Error(`protocol error: ${kind} of relation ${relationId} outside a transaction or before its Relation message`));
      return;
    }
    this.options.tap?.change(relationId, kind, newTuple, oldTuple, keyTuple);
    // Every change takes an index, delivered or not, so ids do not move when filters change.
    const index = tx.nextIndex++;
    this.stats.rowsRead++;
    const route = relation.route;
    if (!route || !route.operations.has(kind)) return;
    if (route.gate !== null && !route.gate.passes(kind, newTuple, oldTuple, keyTuple)) return;
    let messages: EncodedMessage[];
    try {
      const change = { kind, newTuple, oldTuple, keyTuple, commitLsn: tx.commitLsn, index, xid: tx.xid, es: tx.commitTime, ts: this.now() };
      messages = route.encoder.encodeMessages
        ? route.encoder.encodeMessages(change)
        : [{ value: route.encoder.encode(change), key: route.encoder.messageKey(newTuple ?? oldTuple ?? keyTuple!) }];
    } catch (error) {
      this.fail(new DataException(relation.name, messageId(tx.commitLsn, index), `the ${kind} cannot be encoded: ${(error as Error).message}`, { cause: error }));
      return;
    }
    // Formats that split a change (debezium-json) give its messages the change's id.
    const id = messageId(tx.commitLsn, index);
    for (const { key, value } of messages) this.enqueue({ topic: route.topic, partition: route.partitionOf(key), key, value, id, table: relation.name });
    if (kind === 'INSERT') this.stats.inserts++;
    else if (kind === 'UPDATE') this.stats.updates++;
    else this.stats.deletes++;
  }

  /** One message per truncated table (each takes an index, like a row change); see truncateNews. */
  private truncate(message: TruncateMessage): void {
    const tx = this.tx;
    if (!tx) {
      this.fail(new Error('protocol error: TRUNCATE outside a transaction'));
      return;
    }
    this.options.tap?.truncated(message.relationIds);
    const news = truncateNews(message, (id) => this.relations.get(id), tx, this.now(), () => this.stats.rowsRead++);
    for (const note of news.notes) this.options.onNote?.(note);
    for (const m of news.messages) this.enqueue(m);
    if (news.error) this.fail(news.error);
  }

  private enqueue(message: OutboundMessage): void {
    const bytes = (message.value?.length ?? 0) + (message.key?.length ?? 0) + 64;
    this.queue.push(message);
    this.queueBytes.push(bytes);
    this.enqueuedSeq++;
    this.unackedBytes += bytes;
    if (this.unackedBytes > this.highWater && !this.pausedForBackpressure) {
      this.pausedForBackpressure = true;
      this.options.source.pause();
    }
    this.schedulePump();
  }

  /**
   * Snapshot rows, enqueued at the current position of the stream (a high watermark): they are
   * sent in order with the changes around them. `onAcked` runs once Kafka acknowledged them all.
   */
  enqueueSnapshot(messages: readonly { message: OutboundMessage; bytes: number }[], onAcked: () => void): void {
    for (const { message, bytes } of messages) {
      this.queue.push(message);
      this.queueBytes.push(bytes);
      this.unackedBytes += bytes;
    }
    this.enqueuedSeq += messages.length;
    this.ackWaiters.push({ seq: this.enqueuedSeq, run: onAcked });
    if (this.unackedBytes > this.highWater && !this.pausedForBackpressure) {
      this.pausedForBackpressure = true;
      this.options.source.pause();
    }
    if (messages.length) this.schedulePump();
    else this.advance();
  }

  /** Bytes enqueued and not yet acknowledged (the snapshot engine holds back while this is high). */
  get unacknowledgedBytes(): number {
    return this.unackedBytes;
  }

  private addMarker(lsn: bigint, commitTime: number | null): void {
    const last = this.markers.length > this.markersHead ? this.markers[this.markers.length - 1] : null;
    // Consecutive markers with nothing between them collapse: only the latest position matters.
    if (last && last.seq === this.enqueuedSeq) {
      if (lsn > last.lsn) last.lsn = lsn;
      if (last.commitTime === null) last.commitTime = commitTime;
    } else {
      this.markers.push({ seq: this.enqueuedSeq, lsn, commitTime });
    }
    this.advance();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Let the rest of the socket chunk be decoded first, so batches fill up under load.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.sending || this.failed || this.throttleTimer) return;
    // A refused batch is re-sent one message at a time, before anything else and unthrottled.
    if (this.singles.length) {
      this.sendBatch([this.singles[0].message], this.singles[0].bytes, true);
      return;
    }
    if (this.queueHead >= this.queue.length) return;
    const limits = this.throttledBatchLimits();
    if (!limits) return;
    let end = this.queueHead;
    let bytes = 0;
    while (end < this.queue.length && end - this.queueHead < limits.messages) {
      const size = this.queueBytes[end];
      if (end > this.queueHead && bytes + size > limits.bytes) break;
      bytes += size;
      end++;
    }
    this.rowBucket?.take(end - this.queueHead);
    this.byteBucket?.take(bytes);
    const batch = this.queue.slice(this.queueHead, end);
    const sizes = this.queueBytes.slice(this.queueHead, end);
    this.queueHead = end;
    this.compactQueue();
    this.sendBatch(batch, bytes, false, sizes);
  }

  private sendBatch(batch: OutboundMessage[], bytes: number, single: boolean, sizes?: number[]): void {
    this.sending = true;
    this.options.sink.send(batch).then(
      () => {
        this.sending = false;
        if (single) this.singles.shift();
        this.ackedSeq += batch.length;
        this.unackedBytes -= bytes;
        this.stats.rowsWritten += batch.length;
        this.stats.bytesWritten += bytes;
        this.advance();
        if (this.pausedForBackpressure && this.unackedBytes < this.lowWater && !this.resolving) {
          this.pausedForBackpressure = false;
          this.options.source.resume();
        }
        this.pump();
      },
      (error: Error) => {
        this.sending = false;
        if (isTooLarge(error)) {
          if (batch.length > 1) {
            // Nothing of a refused batch was written: send its messages one by one, in order.
            this.singles = batch.map((message, i) => ({ message, bytes: sizes![i] }));
            this.pump();
            return;
          }
          const m = batch[0];
          this.fail(
            new DataException(
              m.table,
              m.id,
              `Kafka refused the message as too large (${bytes - 64} bytes before compression, topic ${m.topic}): ` +
                `raise the topic's max.message.bytes (and the broker's message.max.bytes if needed), then resume the task`,
              { cause: error },
            ),
          );
          return;
        }
        // The cause tells a broken connection (retried for the connection window) from the rest.
        this.fail(new Error(`Kafka did not acknowledge a batch: ${error.message}`, { cause: error }));
      },
    );
  }

  /**
   * How much the next batch may hold under the throttle, or null when it must wait (a timer then
   * resumes pumping). A batch is at most 50 ms of the rate, so the stream stays smooth.
   */
  private throttledBatchLimits(): { messages: number; bytes: number } | null {
    let messages = this.maxBatchMessages;
    let bytes = this.maxBatchBytes;
    let waitMs = 0;
    if (this.rowBucket) {
      const want = Math.max(1, Math.min(messages, Math.floor(this.rowBucket.ratePerSecond / 20)));
      waitMs = Math.max(waitMs, this.rowBucket.msUntil(want));
      messages = Math.min(messages, Math.max(1, Math.floor(this.rowBucket.available())));
    }
    if (this.byteBucket) {
      const next = this.queueBytes[this.queueHead];
      const want = Math.max(next, Math.min(bytes, this.byteBucket.ratePerSecond / 20));
      waitMs = Math.max(waitMs, this.byteBucket.msUntil(want));
      bytes = Math.min(bytes, Math.max(next, Math.floor(this.byteBucket.available())));
    }
    if (waitMs <= 0) return { messages, bytes };
    this.throttleTimer = setTimeout(() => {
      this.throttleTimer = null;
      this.pump();
    }, waitMs);
    return null;
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueBytes = [];
      this.queueHead = 0;
    } else if (this.queueHead > 50_000) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueBytes = this.queueBytes.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Confirms the furthest marker whose preceding messages are all acknowledged. */
  private advance(): void {
    let target = this.confirmed;
    while (this.markersHead < this.markers.length && this.markers[this.markersHead].seq <= this.ackedSeq) {
      const marker = this.markers[this.markersHead++];
      if (marker.lsn > target) target = marker.lsn;
    }
    if (this.markersHead > 1024 && this.markersHead * 2 > this.markers.length) {
      this.markers.splice(0, this.markersHead);
      this.markersHead = 0;
    }
    if (this.ackWaiters.length && this.ackWaiters[0].seq <= this.ackedSeq) {
      const due = this.ackWaiters.filter((w) => w.seq <= this.ackedSeq);
      this.ackWaiters = this.ackWaiters.filter((w) => w.seq > this.ackedSeq);
      for (const w of due) w.run();
    }
    if (target > this.confirmed) {
      this.confirmed = target;
      void this.options.source.confirm(target).catch(() => undefined);
    }
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private isIdle(): boolean {
    return !this.sending && !this.singles.length && this.queueHead >= this.queue.length && !this.resolving && this.inbox.length === 0;
  }

  private startBacklogRead(): boolean {
    const end = this.options.backlogEndLsn;
    return end === undefined || this.seen >= end || this.confirmed >= end;
  }

  /**
   * Age of the oldest change committed on the source and not yet acknowledged by Kafka. Before the
   * backlog of the start has arrived, nothing may be in flight although changes wait on the source:
   * they committed before the start, so they are at least that old.
   */
  private delayMs(): number {
    if (this.ackedSeq === this.enqueuedSeq) return this.startBacklogRead() ? 0 : Math.max(0, this.now() - this.startedAt);
    for (let i = this.markersHead; i < this.markers.length; i++) {
      const t = this.markers[i].commitTime;
      if (t !== null) return Math.max(0, this.now() - t);
    }
    return this.tx ? Math.max(0, this.now() - this.tx.commitTime) : 0;
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    this.throttleTimer = null;
    this.options.source.pause();
    this.options.onFatal(error);
  }
}
