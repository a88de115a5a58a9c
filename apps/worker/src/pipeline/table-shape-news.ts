import { DataException, EnvelopeEncoder, hashPartition, messageId, shapeChange, type RelationSchema, type TruncateMessage } from '@walbridge/domain';
import type { TableRoute } from '../routing';
import type { OutboundMessage } from '../sink/kafka-sink';

/** The transaction a Relation message arrived in (pgoutput sends it before the table's first change there). */
export interface RelationContext {
  commitLsn: bigint;
  xid: number;
  commitTime: number;
  /** Index the next change of the transaction takes. */
  nextIndex: number;
}

/**
 * What a captured table's new Relation message is worth telling: a drop seen in the stream
 * (changes written before it), a rename ("table a.t is now a.t2"), new columns or types — as task
 * log lines and, with a schema-change topic, one JSON message (`isDdl: true`) that travels in
 * stream order with the changes (so it is confirmed only once written). Its id is that of the
 * first change written with the new shape; its key the table. A table's first Relation message
 * of a stream has nothing to compare with: after a restart the first one seen is the baseline.
 */
export function tableShapeNews(
  before: RelationSchema | null,
  schema: RelationSchema,
  route: TableRoute,
  target: { topic: string; partitions: number } | undefined,
  tx: RelationContext | null,
  now: number,
): { notes: string[]; message: OutboundMessage | null } {
  const name = `${schema.schema}.${schema.table}`;
  const notes: string[] = [];
  if (schema.dropped && !before?.dropped) {
    notes.push(`table ${name} was dropped on the source: its changes written before the drop are delivered as the table was then`);
  }
  if (!before) return { notes, message: null };
  const change = shapeChange(before, schema);
  if (change.renamedFrom) notes.push(`table ${change.renamedFrom} is now ${name}; its changes still go to topic ${route.topic}`);
  if (change.columns.length) notes.push(`schema of ${name} changed: ${change.columns.join('; ')}`);
  if ((!change.columns.length && !change.renamedFrom) || !target || !tx) return { notes, message: null };
  const value = new EnvelopeEncoder(schema, { columns: route.columns }).encodeSchemaChange({
    commitLsn: tx.commitLsn,
    index: tx.nextIndex,
    xid: tx.xid,
    es: tx.commitTime,
    ts: now,
    changes: change.renamedFrom ? [`table ${change.renamedFrom} renamed to ${name}`, ...change.columns] : change.columns,
    renamedFrom: change.renamedFrom,
  });
  return {
    notes,
    message: {
      topic: target.topic,
      partition: hashPartition(`${schema.database}.${schema.schema}.${schema.table}`, target.partitions),
      key: JSON.stringify([schema.schema, schema.table]),
      value: Buffer.from(value),
      id: messageId(tx.commitLsn, tx.nextIndex),
      table: name,
    },
  };
}

/**
 * The messages of a TRUNCATE: one per truncated table the task captures, each taking an index of
 * the transaction like a row change (so ids do not move when operations change), sent to every
 * partition the table's rows may be on. A table whose operations leave TRUNCATE out gets a
 * task-log line instead: its copies downstream keep the rows, and someone should know.
 */
export function truncateNews(
  message: TruncateMessage,
  relationOf: (relationId: number) => { name: string; route: TableRoute | null } | undefined,
  tx: RelationContext,
  now: number,
  onRead: () => void,
): { notes: string[]; messages: OutboundMessage[]; error: Error | null } {
  const notes: string[] = [];
  const messages: OutboundMessage[] = [];
  const options = { cascade: message.cascade, restartIdentity: message.restartIdentity };
  const how = [message.restartIdentity ? ' RESTART IDENTITY' : '', message.cascade ? ' CASCADE' : ''].join('');
  for (const relationId of message.relationIds) {
    const relation = relationOf(relationId);
    if (!relation) return { notes, messages, error: new Error(`protocol error: TRUNCATE of relation ${relationId} before its Relation message`) };
    const index = tx.nextIndex++;
    onRead();
    const route = relation.route;
    if (!route) continue;
    const id = messageId(tx.commitLsn, index);
    if (!route.operations.has('TRUNCATE')) {
      notes.push(`TRUNCATE${how} of ${relation.name} (${id}) skipped: TRUNCATE is not among the task's operations for this table, so its rows stay downstream`);
      continue;
    }
    let value: Buffer;
    try {
      value = route.encoder.encodeTruncate({ options, commitLsn: tx.commitLsn, index, xid: tx.xid, es: tx.commitTime, ts: now });
    } catch (error) {
      return { notes, messages, error: new DataException(relation.name, id, `the TRUNCATE cannot be encoded: ${(error as Error).message}`, { cause: error }) };
    }
    for (const partition of route.truncatePartitions) messages.push({ topic: route.topic, partition, key: null, value, id, table: relation.name });
  }
  return { notes, messages, error: null };
}
