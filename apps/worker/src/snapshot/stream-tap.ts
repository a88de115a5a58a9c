import type { ChangeKind, LogicalMessage, RelationMessage, Tuple } from '@walbridge/domain';

/**
 * What the snapshot engine sees of the replication stream, in stream order and synchronously
 * (ChangePipeline calls it as it processes each message): the watermark windows are decided by
 * the position of each change relative to the watermarks, so nothing here may be deferred.
 */
export interface StreamTap {
  relation(message: RelationMessage): void;
  /** Every row change, before any route, operation or filter decides whether it is sent. */
  change(relationId: number, kind: ChangeKind, newTuple: Tuple | null, oldTuple: Tuple | null, keyTuple: Tuple | null): void;
  /** A TRUNCATE of these relations (a chunk read before it would bring the rows back: it is read again). */
  truncated(relationIds: readonly number[]): void;
  /** A transaction's commit (its top-level xid, as its Begin carried it). */
  committed(xid: number): void;
  /** A pg_logical_emit_message record (watermarks among them), at its position in the stream. */
  message(message: LogicalMessage): void;
}
