import {
  DataException,
  isRetryable,
  messageId,
  type ChangeKind,
  type PgOutputMessage,
  type RelationMessage,
  type RelationSchema,
  type TruncateMessage,
  type Tuple,
} from '@walbridge/domain';
import type { TableRoute } from '../routing';
import type { EncodedMessage } from '../encoding/change-encoder';
import type { OutboundMessage } from '../sink/kafka-sink';
import type { StreamTap } from '../snapshot/stream-tap';
import { tableShapeNews, truncateNews } from './table-shape-news';
import { TableCounters } from './table-counters';
import type { WorkerTableCount } from '@walbridge/queue';

/** Where the intake puts what it made of the stream, in stream order. */
export interface IntakeOutput {
  enqueue(message: OutboundMessage): void;
  /** A position safe to confirm once every message enqueued before it is acknowledged. */
  mark(lsn: bigint, commitTime: number | null): void;
  /** A table is being described: reading from the source should pause until `described`. */
  describing(): void;
  described(): void;
  /** The data path cannot go on. */
  fail(error: Error): void;
}

export interface ChangeIntakeOptions {
  describe(relation: RelationMessage): Promise<RelationSchema>;
  route(schema: RelationSchema): TableRoute | null;
  /** A line for the task log (once per Relation message). */
  onNote?(message: string): void;
  /** `policy.schemaChangeTopic` and its partition count (see PipelineOptions). */
  schemaChangeTopic?: { topic: string; partitions: number };
  /** The snapshot engine: sees the stream in order. */
  tap?: StreamTap;
  now: () => number;
}

/** What the intake counts. */
export interface IntakeCounts {
  rowsRead: number;
  inserts: number;
  updates: number;
  deletes: number;
}

interface RelationState {
  /** `schema.table`, for data exceptions. */
  name: string;
  /** The relation as its latest Relation message describes it (the per-OID relation cache). */
  schema: RelationSchema;
  route: TableRoute | null;
  /** This table's per-table counters (shared by every relation of that name). */
  counter: WorkerTableCount;
}

interface Transaction {
  commitLsn: bigint;
  xid: number;
  commitTime: number;
  nextIndex: number;
}

type InboxItem = PgOutputMessage | { tag: 'keepalive'; walEnd: bigint };

/**
 * Intake: turns the replication stream into messages and positions. Each change is encoded at
 * once (nothing is buffered per transaction); a Relation message is described (catalog, topic,
 * registry) before anything after it is taken, so order holds across the lookup; transactions'
 * ends and keepalive or heartbeat positions between transactions become confirmable positions.
 * Every change takes an index in its transaction, delivered or not, so ids do not move when
 * filters change.
 */
export class ChangeIntake {
  private readonly relations = new Map<number, RelationState>();
  private readonly inbox: InboxItem[] = [];
  private resolving = false;
  private stopped = false;
  private tx: Transaction | null = null;
  /** The furthest position received (commit, message or keepalive). */
  private seenLsn = 0n;
  readonly counts: IntakeCounts = { rowsRead: 0, inserts: 0, updates: 0, deletes: 0 };
  readonly tableCounts = new TableCounters();

  constructor(
    private readonly options: ChangeIntakeOptions,
    private readonly output: IntakeOutput,
  ) {}

  /** Takes the next message of the stream; order is preserved even across relation lookups. */
  push(message: PgOutputMessage): void {
    if (this.stopped) return;
    if (this.resolving || this.inbox.length) this.inbox.push(message);
    else this.process(message);
  }

  keepalive(walEnd: bigint): void {
    if (this.stopped) return;
    if (walEnd > this.seenLsn) this.seenLsn = walEnd;
    if (this.resolving || this.inbox.length) this.inbox.push({ tag: 'keepalive', walEnd });
    else this.process({ tag: 'keepalive', walEnd });
  }

  /** The furthest position received. */
  get seen(): bigint {
    return this.seenLsn;
  }

  /** The commit time of the transaction being read (null: between transactions). */
  get openTransactionCommitTime(): number | null {
    return this.tx?.commitTime ?? null;
  }

  /** A Relation message is being described (what follows it waits). */
  get describingTable(): boolean {
    return this.resolving;
  }

  /** No message waits for a table to be described. */
  isIdle(): boolean {
    return !this.resolving && this.inbox.length === 0;
  }

  /** Takes nothing more (the data path failed). */
  stop(): void {
    this.stopped = true;
  }

  private process(item: InboxItem): void {
    switch (item.tag) {
      case 'begin':
        this.tx = { commitLsn: item.finalLsn, xid: item.xid, commitTime: item.commitTime, nextIndex: 0 };
        return;
      case 'commit':
        if (this.tx) this.options.tap?.committed(this.tx.xid);
        if (item.endLsn > this.seenLsn) this.seenLsn = item.endLsn;
        this.output.mark(item.endLsn, this.tx?.commitTime ?? item.commitTime);
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
        if (item.lsn > this.seenLsn) this.seenLsn = item.lsn;
        // A snapshot's high watermark enqueues the chunk here, before the position is a marker.
        this.options.tap?.message(item);
        if (!this.tx) this.output.mark(item.lsn, null);
        return;
      case 'keepalive':
        if (!this.tx) this.output.mark(item.walEnd, null);
        return;
      default:
        return; // origin, type: nothing to deliver
    }
  }

  private resolveRelation(message: RelationMessage): void {
    this.resolving = true;
    this.output.describing();
    this.options
      .describe(message)
      .then((schema) => {
        const route = this.options.route(schema);
        for (const note of route?.notes ?? []) this.options.onNote?.(note);
        const name = `${schema.schema}.${schema.table}`;
        const before = this.relations.get(message.relationId);
        if (route) this.announceShape(before?.schema ?? null, schema, route);
        this.relations.set(message.relationId, { name, schema, route, counter: this.tableCounts.entry(name) });
        this.resolving = false;
        this.output.described();
        this.drainInbox();
      })
      .catch((error: Error) =>
        this.output.fail(isRetryable(error) ? new Error(`cannot describe table ${message.schema}.${message.table}: ${error.message}`, { cause: error }) : error),
      );
  }

  /** Log lines and the schema-change message for a captured table's new Relation message (see tableShapeNews). */
  private announceShape(before: RelationSchema | null, schema: RelationSchema, route: TableRoute): void {
    const news = tableShapeNews(before, schema, route, this.options.schemaChangeTopic, this.tx, this.options.now());
    for (const note of news.notes) this.options.onNote?.(note);
    if (news.message) this.output.enqueue(news.message);
  }

  private drainInbox(): void {
    let i = 0;
    while (!this.resolving && !this.stopped && i < this.inbox.length) this.process(this.inbox[i++]);
    this.inbox.splice(0, i);
  }

  private change(kind: ChangeKind, relationId: number, newTuple: Tuple | null, oldTuple: Tuple | null, keyTuple: Tuple | null): void {
    const tx = this.tx;
    const relation = this.relations.get(relationId);
    if (!tx || !relation) {
      this.output.fail(new Error(`protocol error: ${kind} of relation ${relationId} outside a transaction or before its Relation message`));
      return;
    }
    this.options.tap?.change(relationId, kind, newTuple, oldTuple, keyTuple);
    // Every change takes an index, delivered or not, so ids do not move when filters change.
    const index = tx.nextIndex++;
    this.counts.rowsRead++;
    const route = relation.route;
    if (!route || !route.operations.has(kind)) return;
    if (route.gate !== null && !route.gate.passes(kind, newTuple, oldTuple, keyTuple)) return;
    let messages: EncodedMessage[];
    try {
      const change = { kind, newTuple, oldTuple, keyTuple, commitLsn: tx.commitLsn, index, xid: tx.xid, es: tx.commitTime, ts: this.options.now() };
      messages = route.encoder.encodeMessages
        ? route.encoder.encodeMessages(change)
        : [{ value: route.encoder.encode(change), key: route.encoder.messageKey(newTuple ?? oldTuple ?? keyTuple!) }];
    } catch (error) {
      this.output.fail(new DataException(relation.name, messageId(tx.commitLsn, index), `the ${kind} cannot be encoded: ${(error as Error).message}`, { cause: error }));
      return;
    }
    // Formats that split a change (debezium-json) give its messages the change's id.
    const id = messageId(tx.commitLsn, index);
    for (const { key, value } of messages) this.output.enqueue({ topic: route.topic, partition: route.partitionOf(key), key, value, id, table: relation.name });
    if (kind === 'INSERT') this.counts.inserts++;
    else if (kind === 'UPDATE') this.counts.updates++;
    else this.counts.deletes++;
    this.tableCounts.count(relation.counter, kind, tx.commitTime);
  }

  /** One message per truncated table (each takes an index, like a row change); see truncateNews. */
  private truncate(message: TruncateMessage): void {
    const tx = this.tx;
    if (!tx) {
      this.output.fail(new Error('protocol error: TRUNCATE outside a transaction'));
      return;
    }
    this.options.tap?.truncated(message.relationIds);
    const news = truncateNews(message, (id) => this.relations.get(id), tx, this.options.now(), () => this.counts.rowsRead++);
    for (const note of news.notes) this.options.onNote?.(note);
    for (const m of news.messages) this.output.enqueue(m);
    if (news.error) this.output.fail(news.error);
    // One TRUNCATE per table sent (its message goes to every partition).
    for (const table of new Set(news.messages.map((m) => m.table))) if (table) this.tableCounts.count(this.tableCounts.entry(table), 'TRUNCATE', tx.commitTime);
  }
}
