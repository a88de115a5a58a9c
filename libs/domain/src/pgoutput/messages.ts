/**
 * Typed pgoutput (logical replication protocol v1) messages, plus the 'M' logical decoding
 * message that PostgreSQL 14+ sends when the `messages` option is on.
 */

/**
 * Stands for a TOASTed value that the UPDATE did not change: PostgreSQL does not send it ('u'),
 * which is different from SQL NULL. A symbol cannot collide with any real column value.
 */
export const UNCHANGED_TOAST: unique symbol = Symbol('UNCHANGED_TOAST');
export type UnchangedToast = typeof UNCHANGED_TOAST;

/**
 * One column value: PostgreSQL's text output (kept verbatim, never parsed, so numeric precision
 * and int8 survive), null for SQL NULL, UNCHANGED_TOAST, or the raw bytes of a binary-format
 * value (only sent when the binary option is requested, which Walbridge does not do).
 */
export type TupleValue = string | null | UnchangedToast | Buffer;

/** Values by column position, in the order of the relation's Relation message. */
export type Tuple = readonly TupleValue[];

/** 'd' default (primary key), 'n' nothing, 'f' full row, 'i' a chosen unique index. */
export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i';

/** Column flag bit: the column is part of the replica identity key. */
export const COLUMN_FLAG_KEY = 1;

export interface RelationColumn {
  flags: number;
  /** `(flags & COLUMN_FLAG_KEY) !== 0`, precomputed for readability at call sites. */
  isKey: boolean;
  name: string;
  typeOid: number;
  typeMod: number;
}

export interface BeginMessage {
  tag: 'begin';
  /** LSN of the commit record; equals the Commit message's commitLsn. */
  finalLsn: bigint;
  /** Commit time in ms since the Unix epoch (sub-millisecond part dropped). */
  commitTime: number;
  xid: number;
}

export interface CommitMessage {
  tag: 'commit';
  flags: number;
  commitLsn: bigint;
  /** End of the transaction's WAL: the position to confirm once everything before it is durable. */
  endLsn: bigint;
  commitTime: number;
}

export interface OriginMessage {
  tag: 'origin';
  originLsn: bigint;
  name: string;
}

export interface RelationMessage {
  tag: 'relation';
  relationId: number;
  /** Empty string stands for pg_catalog, as PostgreSQL sends it. */
  schema: string;
  table: string;
  replicaIdentity: ReplicaIdentity;
  columns: RelationColumn[];
}

export interface TypeMessage {
  tag: 'type';
  typeOid: number;
  schema: string;
  name: string;
}

export interface InsertMessage {
  tag: 'insert';
  relationId: number;
  newTuple: Tuple;
}

/**
 * At most one of keyTuple/oldTuple is set. keyTuple ('K') carries values only for the replica
 * identity key columns (null elsewhere) and is sent when the key changed; oldTuple ('O') is the
 * full previous row under REPLICA IDENTITY FULL. Neither is sent when the key did not change.
 */
export interface UpdateMessage {
  tag: 'update';
  relationId: number;
  keyTuple: Tuple | null;
  oldTuple: Tuple | null;
  newTuple: Tuple;
}

/** Exactly one of keyTuple/oldTuple is set (see UpdateMessage). */
export interface DeleteMessage {
  tag: 'delete';
  relationId: number;
  keyTuple: Tuple | null;
  oldTuple: Tuple | null;
}

export const TRUNCATE_CASCADE = 1;
export const TRUNCATE_RESTART_IDENTITY = 2;

export interface TruncateMessage {
  tag: 'truncate';
  relationIds: number[];
  /** Raw option bits (TRUNCATE_CASCADE, TRUNCATE_RESTART_IDENTITY). */
  options: number;
  cascade: boolean;
  restartIdentity: boolean;
}

/** A pg_logical_emit_message() record. */
export interface LogicalMessage {
  tag: 'message';
  transactional: boolean;
  lsn: bigint;
  prefix: string;
  /** A copy: it does not share memory with the decoded input. */
  content: Buffer;
}

export type PgOutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage;
