import { jsonString } from './json-string';
import { formatLsn } from './lsn';
import { messageId } from './message-id';
import { castOutputToText, type TextCast } from './pg-text-cast';
import { UNCHANGED_TOAST, type Tuple } from './pgoutput/messages';
import type { RelationSchema } from './relation-schema';

export type ChangeKind = 'INSERT' | 'UPDATE' | 'DELETE';

/** Every operation a task may select: the row changes and TRUNCATE (a whole-table change). */
export type OperationKind = ChangeKind | 'TRUNCATE';

/** The options of a TRUNCATE as the WAL has them (pgoutput's option bits). */
export interface TruncateOptions {
  cascade: boolean;
  restartIdentity: boolean;
}

/** One table of a TRUNCATE, with its transaction context (see RowChange). */
export interface TruncateChange {
  options: TruncateOptions;
  commitLsn: bigint;
  index: number;
  xid: number;
  es: number;
  ts: number;
}

/** One row change plus its transaction context, as the worker has it after decoding. */
export interface RowChange {
  kind: ChangeKind;
  /** INSERT and UPDATE. */
  newTuple?: Tuple | null;
  /** Full previous row ('O', REPLICA IDENTITY FULL). */
  oldTuple?: Tuple | null;
  /** Key-only previous row ('K'): key columns set, every other column null. */
  keyTuple?: Tuple | null;
  commitLsn: bigint;
  /** Position of the change in its transaction (becomes the id suffix). */
  index: number;
  xid: number;
  /** Source commit time, ms since the Unix epoch. */
  es: number;
  /** Time the message is produced to Kafka, ms since the Unix epoch. */
  ts: number;
  /**
   * A row read by a snapshot (full synchronization, backfill): always an INSERT, with its own
   * deterministic id (snapshotMessageId) instead of the commit LSN and index.
   */
  snapshot?: { id: string };
}

/** A new shape of a captured table, for the schema-change topic (see EnvelopeEncoder#encodeSchemaChange). */
export interface SchemaChangeEvent extends Omit<TruncateChange, 'options'> {
  changes: readonly string[];
  renamedFrom: string | null;
}

export class EnvelopeEncodeError extends Error {
  override readonly name = 'EnvelopeEncodeError';
}

/** One column image of `data`/`old`: values by name, no prototype (a column may be named __proto__). */
export type EnvelopeRow = Record<string, string | null>;

/** The envelope as a plain object, for encoders other than JSON (Avro); same fields as the JSON. */
export interface EnvelopeRecord {
  id: string;
  database: string;
  schema: string;
  table: string;
  type: OperationKind;
  es: number;
  ts: number;
  xid: number;
  lsn: string;
  isDdl: false;
  sql: '';
  pkNames: string[];
  columnType: Record<string, string>;
  data: EnvelopeRow[];
  old: EnvelopeRow[] | null;
  unchangedToast: string[] | null;
  /** Set on TRUNCATE messages only. */
  truncate: TruncateOptions | null;
  /** A snapshot row (see RowChange.snapshot); false for changes from the WAL. */
  snapshot: boolean;
}

export interface EnvelopeOptions {
  /**
   * Positions of the columns to put in `data`, `old` and `columnType`, in relation order (see
   * columnProjection); every column when absent.
   */
  columns?: readonly number[] | null;
}

// Same trick as messageId: all changes of a transaction share the commit LSN.
let cachedLsn = -1n;
let cachedLsnText = '';

function lsnText(lsn: bigint): string {
  if (lsn !== cachedLsn) {
    cachedLsnText = formatLsn(lsn);
    cachedLsn = lsn;
  }
  return cachedLsnText;
}

function positionsOf(schema: RelationSchema, names: readonly string[], what: string): number[] {
  return names.map((name) => {
    const i = schema.columns.findIndex((c) => c.name === name);
    if (i < 0) {
      throw new EnvelopeEncodeError(`${what} column ${JSON.stringify(name)} is not a column of ${schema.schema}.${schema.table}`);
    }
    return i;
  });
}

/** Per column position, the rewrite from output text to `::text`, or undefined. */
type Casts = readonly (TextCast | undefined)[];

function castsOf(schema: RelationSchema): Casts {
  return schema.columns.map((c) => c.textCast);
}

/** A text value as `col::text` prints it. */
function asText(casts: Casts, i: number, v: string): string {
  const cast = casts[i];
  return cast === undefined ? v : castOutputToText(cast, v);
}

function keyJson(tuple: Tuple, positions: readonly number[], casts: Casts): string {
  let s = '[';
  for (let k = 0; k < positions.length; k++) {
    const i = positions[k];
    const v = tuple[i];
    // A key value can only be missing from a key-only image of a non-PK replica identity or be
    // an unchanged oversized TOAST value; null keeps the array aligned with pkNames.
    s += (k === 0 ? '' : ',') + (typeof v === 'string' ? jsonString(asText(casts, i, v)) : 'null');
  }
  return s + ']';
}

/**
 * Encodes row changes of one relation into the DRS-style JSON envelope (PRODUCT.md §5).
 * Everything that depends only on the relation (escaped names, columnType, pkNames) is
 * rendered once here, so a change costs one pass over its values. Build a new encoder whenever
 * the relation's schema changes (a new Relation message).
 *
 * The JSON is built by concatenation rather than JSON.stringify on an object: values are
 * already strings and keys never change, so the only per-change work is escaping values
 * (jsonString) and joining precomputed fragments, with no intermediate object graph.
 */
export class EnvelopeEncoder {
  readonly schema: RelationSchema;
  private readonly columnCount: number;
  /** Positions of the columns that are sent (all of them unless a column list narrows them). */
  private readonly out: readonly number[];
  /** `"name":` per column; the `,"name":` variant avoids a branch on the separator. */
  private readonly keyFirst: string[];
  private readonly keyNext: string[];
  private readonly names: string[];
  private readonly casts: Casts;
  private readonly pkPositions: number[];
  /** Columns an UPDATE without an old image keeps unchanged, or null when unknown. */
  private readonly identityPositions: number[] | null;
  private readonly headInsert: string;
  private readonly headUpdate: string;
  private readonly headDelete: string;
  private readonly headTruncate: string;
  private readonly headDdl: string;
  private readonly middle: string;
  /** Columns that had to be left out of `data` by the current encode() call. */
  private toast: string[] | null = null;

  constructor(schema: RelationSchema, options: EnvelopeOptions = {}) {
    this.schema = schema;
    this.columnCount = schema.columns.length;
    this.out = options.columns ?? schema.columns.map((_, i) => i);
    for (const p of this.out) {
      if (!Number.isInteger(p) || p < 0 || p >= this.columnCount) throw new EnvelopeEncodeError(`column position ${p} is outside ${schema.schema}.${schema.table}`);
    }
    this.names = schema.columns.map((c) => c.name);
    this.casts = castsOf(schema);
    this.keyFirst = this.names.map((n) => JSON.stringify(n) + ':');
    this.keyNext = this.keyFirst.map((k) => ',' + k);
    this.pkPositions = positionsOf(schema, schema.pkNames, 'primary key');
    if (schema.identityKeyNames !== undefined && schema.identityKeyNames.length > 0) {
      this.identityPositions = positionsOf(schema, schema.identityKeyNames, 'replica identity');
    } else if (schema.replicaIdentity === 'd' && schema.pkNames.length > 0) {
      this.identityPositions = this.pkPositions;
    } else {
      this.identityPositions = null;
    }

    const table =
      '","database":' + JSON.stringify(schema.database) +
      ',"schema":' + JSON.stringify(schema.schema) +
      ',"table":' + JSON.stringify(schema.table) +
      ',"type":"';
    this.headInsert = table + 'INSERT","es":';
    this.headUpdate = table + 'UPDATE","es":';
    this.headDelete = table + 'DELETE","es":';
    this.headTruncate = table + 'TRUNCATE","es":';
    this.headDdl = table + 'DDL","es":';
    let columnType = '{';
    this.out.forEach((i, k) => {
      columnType += (k === 0 ? this.keyFirst[i] : this.keyNext[i]) + JSON.stringify(schema.columns[i].type);
    });
    this.middle =
      '","isDdl":false,"sql":"","pkNames":' + JSON.stringify(schema.pkNames) +
      ',"columnType":' + columnType + '},"data":[';
  }

  /**
   * The JSON envelope of one change.
   *
   * - INSERT: `data` = new row, `old` = null.
   * - UPDATE: `data` = new row; `old` = the previous image the source sent (full row, or only
   *   the key columns of a key-only image). When the source sent none, the key did not change,
   *   so `old` holds the identity key columns copied from the new row (null if the key
   *   columns are unknown).
   * - DELETE: like DRS, `data` holds the deleted row; `old` holds the same image, so consumers
   *   that read the previous row from `old` for UPDATE can do the same for DELETE. Both are
   *   whatever the source sent: the full row or only the key columns.
   *
   * An unchanged TOAST value in `data` is taken from the previous image when that has the real
   * value; otherwise the column is left out of `data` and named in `unchangedToast`.
   */
  encode(change: RowChange): string {
    this.toast = null;
    let head: string;
    let data: string;
    let old: string;
    switch (change.kind) {
      case 'INSERT':
        head = this.headInsert;
        data = this.row(this.need(change.newTuple, 'INSERT', 'new row'), null, false, true);
        old = 'null';
        break;
      case 'UPDATE': {
        head = this.headUpdate;
        const newTuple = this.need(change.newTuple, 'UPDATE', 'new row');
        if (change.oldTuple) {
          data = this.row(newTuple, change.oldTuple, false, true);
          old = '[' + this.row(change.oldTuple, null, false, false) + ']';
        } else if (change.keyTuple) {
          data = this.row(newTuple, change.keyTuple, false, true);
          old = '[' + this.row(change.keyTuple, null, true, false) + ']';
        } else {
          data = this.row(newTuple, null, false, true);
          old = this.identityPositions === null ? 'null' : '[' + this.identityRow(newTuple, this.identityPositions) + ']';
        }
        break;
      }
      case 'DELETE':
        head = this.headDelete;
        if (change.oldTuple) {
          data = this.row(change.oldTuple, null, false, true);
        } else if (change.keyTuple) {
          data = this.row(change.keyTuple, null, true, true);
        } else {
          throw new EnvelopeEncodeError(`DELETE on ${this.schema.schema}.${this.schema.table} has no old row or key`);
        }
        old = '[' + data + ']';
        break;
      default:
        throw new EnvelopeEncodeError(`unknown change kind ${JSON.stringify((change as { kind: unknown }).kind)}`);
    }
    const { es, ts, xid } = change;
    if (!Number.isSafeInteger(es) || !Number.isSafeInteger(ts) || !Number.isSafeInteger(xid)) {
      throw new EnvelopeEncodeError(`es, ts and xid must be integers (got ${es}, ${ts}, ${xid})`);
    }
    let s =
      '{"id":"' + (change.snapshot ? change.snapshot.id : messageId(change.commitLsn, change.index)) +
      head + es + ',"ts":' + ts + ',"xid":' + xid +
      ',"lsn":"' + lsnText(change.commitLsn) +
      this.middle + data + '],"old":' + old;
    if (this.toast !== null) s += ',"unchangedToast":' + JSON.stringify(this.toast);
    // Only snapshot rows carry the field, so the messages of a stream stay byte for byte as before.
    if (change.snapshot) s += ',"snapshot":true';
    return s + '}';
  }

  /**
   * The same envelope as encode(), as a plain object: what the Avro encoder serializes. Slower
   * than encode() (an object graph per change), which is why JSON does not go through it.
   */
  encodeRecord(change: RowChange): EnvelopeRecord {
    this.toast = null;
    let data: EnvelopeRow;
    let old: EnvelopeRow[] | null;
    switch (change.kind) {
      case 'INSERT':
        data = this.rowObject(this.need(change.newTuple, 'INSERT', 'new row'), null, false, true);
        old = null;
        break;
      case 'UPDATE': {
        const newTuple = this.need(change.newTuple, 'UPDATE', 'new row');
        if (change.oldTuple) {
          data = this.rowObject(newTuple, change.oldTuple, false, true);
          old = [this.rowObject(change.oldTuple, null, false, false)];
        } else if (change.keyTuple) {
          data = this.rowObject(newTuple, change.keyTuple, false, true);
          old = [this.rowObject(change.keyTuple, null, true, false)];
        } else {
          data = this.rowObject(newTuple, null, false, true);
          old = this.identityPositions === null ? null : [this.identityRowObject(newTuple, this.identityPositions)];
        }
        break;
      }
      case 'DELETE':
        if (change.oldTuple) data = this.rowObject(change.oldTuple, null, false, true);
        else if (change.keyTuple) data = this.rowObject(change.keyTuple, null, true, true);
        else throw new EnvelopeEncodeError(`DELETE on ${this.schema.schema}.${this.schema.table} has no old row or key`);
        old = [data];
        break;
      default:
        throw new EnvelopeEncodeError(`unknown change kind ${JSON.stringify((change as { kind: unknown }).kind)}`);
    }
    const { es, ts, xid } = change;
    if (!Number.isSafeInteger(es) || !Number.isSafeInteger(ts) || !Number.isSafeInteger(xid)) {
      throw new EnvelopeEncodeError(`es, ts and xid must be integers (got ${es}, ${ts}, ${xid})`);
    }
    return {
      id: change.snapshot ? change.snapshot.id : messageId(change.commitLsn, change.index),
      database: this.schema.database,
      schema: this.schema.schema,
      table: this.schema.table,
      type: change.kind,
      es,
      ts,
      xid,
      lsn: lsnText(change.commitLsn),
      isDdl: false,
      sql: '',
      pkNames: [...this.schema.pkNames],
      columnType: this.columnTypes(),
      data: [data],
      old,
      unchangedToast: this.toast,
      truncate: null,
      snapshot: change.snapshot !== undefined,
    };
  }

  /**
   * The JSON envelope of a TRUNCATE of this table: no row (`data` is empty, `old` null), the
   * table's columns and key as for its row changes, and the options it was run with, e.g.
   * `"truncate":{"cascade":false,"restartIdentity":true}`. A consumer empties its copy.
   */
  encodeTruncate(change: TruncateChange): string {
    checkTimes(change);
    return (
      '{"id":"' + messageId(change.commitLsn, change.index) +
      this.headTruncate + change.es + ',"ts":' + change.ts + ',"xid":' + change.xid +
      ',"lsn":"' + lsnText(change.commitLsn) +
      this.middle + '],"old":null,"truncate":{"cascade":' + change.options.cascade + ',"restartIdentity":' + change.options.restartIdentity + '}}'
    );
  }

  /**
   * The message of the schema-change topic (`policy.schemaChangeTopic`, always JSON) for a new
   * shape of this table: `type` "DDL", `isDdl` true, the new `columnType` and `pkNames`, no
   * row, and what changed in words (`changes`, plus `renamedFrom` when the table was renamed).
   * `sql` stays empty: the WAL does not carry the statement. Its id is the id of the first
   * change written with the new shape.
   */
  encodeSchemaChange(change: SchemaChangeEvent): string {
    checkTimes(change);
    return (
      '{"id":"' + messageId(change.commitLsn, change.index) +
      this.headDdl + change.es + ',"ts":' + change.ts + ',"xid":' + change.xid +
      ',"lsn":"' + lsnText(change.commitLsn) +
      this.middle.replace('"isDdl":false', '"isDdl":true') + '],"old":null,"changes":' + JSON.stringify(change.changes) +
      ',"renamedFrom":' + JSON.stringify(change.renamedFrom) + '}'
    );
  }

  /** encodeTruncate() as a plain object (Avro). */
  truncateRecord(change: TruncateChange): EnvelopeRecord {
    checkTimes(change);
    return {
      id: messageId(change.commitLsn, change.index),
      database: this.schema.database,
      schema: this.schema.schema,
      table: this.schema.table,
      type: 'TRUNCATE',
      es: change.es,
      ts: change.ts,
      xid: change.xid,
      lsn: lsnText(change.commitLsn),
      isDdl: false,
      sql: '',
      pkNames: [...this.schema.pkNames],
      columnType: this.columnTypes(),
      data: [],
      old: null,
      unchangedToast: null,
      truncate: { cascade: change.options.cascade, restartIdentity: change.options.restartIdentity },
      snapshot: false,
    };
  }

  /**
   * Kafka message key: the identity's values as a JSON array of strings ('["42"]'), or null
   * when the table has no key (none, or the whole row under REPLICA IDENTITY FULL). Pass the new row, or the old/key image for a DELETE.
   */
  messageKey(tuple: Tuple): string | null {
    // A whole-row identity (FULL without a key) changes with every UPDATE: a key made of it would
    // move the row's changes between partitions and out of order. Such messages stay unkeyed.
    if (this.pkPositions.length === 0 || this.schema.keyIsRow) return null;
    this.checkWidth(tuple);
    return keyJson(tuple, this.pkPositions, this.casts);
  }

  private need(tuple: Tuple | null | undefined, kind: ChangeKind, what: string): Tuple {
    if (!tuple) throw new EnvelopeEncodeError(`${kind} on ${this.schema.schema}.${this.schema.table} has no ${what}`);
    return tuple;
  }

  private checkWidth(tuple: Tuple): void {
    if (tuple.length !== this.columnCount) {
      throw new EnvelopeEncodeError(
        `row of ${this.schema.schema}.${this.schema.table} has ${tuple.length} values but the relation schema has ` +
          `${this.columnCount} columns: the schema is stale (a newer Relation message was not applied)`,
      );
    }
  }

  /**
   * One row object. `fallback` supplies values for unchanged TOAST columns; `keyOnly` drops the
   * nulls a key-only image carries for non-key columns (key columns are NOT NULL, so every null
   * there means "not sent"); `recordToast` collects the names of columns that stay unknown.
   */
  private row(tuple: Tuple, fallback: Tuple | null, keyOnly: boolean, recordToast: boolean): string {
    this.checkWidth(tuple);
    if (fallback !== null) this.checkWidth(fallback);
    let s = '{';
    let first = true;
    const out = this.out;
    for (let k = 0; k < out.length; k++) {
      const i = out[k];
      let v = tuple[i];
      if (v === UNCHANGED_TOAST) {
        v = fallback === null ? UNCHANGED_TOAST : fallback[i];
        if (typeof v !== 'string') {
          if (recordToast) (this.toast ??= []).push(this.names[i]);
          continue;
        }
      }
      let json: string;
      if (typeof v === 'string') json = jsonString(asText(this.casts, i, v));
      else if (v === null) {
        if (keyOnly) continue;
        json = 'null';
      } else {
        throw new EnvelopeEncodeError(
          `column ${JSON.stringify(this.names[i])} of ${this.schema.schema}.${this.schema.table} holds a binary value; ` +
            'only text-format pgoutput values can be encoded',
        );
      }
      s += (first ? this.keyFirst[i] : this.keyNext[i]) + json;
      first = false;
    }
    return s + '}';
  }

  private columnTypes(): Record<string, string> {
    const types = Object.create(null) as Record<string, string>;
    for (const i of this.out) types[this.names[i]] = this.schema.columns[i].type;
    return types;
  }

  /** row() as an object (same rules: fallback for unchanged TOAST, key-only images, unchangedToast). */
  private rowObject(tuple: Tuple, fallback: Tuple | null, keyOnly: boolean, recordToast: boolean): EnvelopeRow {
    this.checkWidth(tuple);
    if (fallback !== null) this.checkWidth(fallback);
    const row = Object.create(null) as EnvelopeRow;
    for (const i of this.out) {
      let v = tuple[i];
      if (v === UNCHANGED_TOAST) {
        v = fallback === null ? UNCHANGED_TOAST : fallback[i];
        if (typeof v !== 'string') {
          if (recordToast) (this.toast ??= []).push(this.names[i]);
          continue;
        }
      }
      if (v === null) {
        if (!keyOnly) row[this.names[i]] = null;
      } else if (typeof v === 'string') {
        row[this.names[i]] = asText(this.casts, i, v);
      } else {
        throw new EnvelopeEncodeError(
          `column ${JSON.stringify(this.names[i])} of ${this.schema.schema}.${this.schema.table} holds a binary value; ` +
            'only text-format pgoutput values can be encoded',
        );
      }
    }
    return row;
  }

  private identityRowObject(tuple: Tuple, positions: readonly number[]): EnvelopeRow {
    const row = Object.create(null) as EnvelopeRow;
    for (const i of positions) {
      const v = tuple[i];
      if (typeof v === 'string') row[this.names[i]] = asText(this.casts, i, v);
      else if (v === null) row[this.names[i]] = null;
    }
    return row;
  }

  private identityRow(tuple: Tuple, positions: readonly number[]): string {
    let s = '{';
    let first = true;
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k];
      const v = tuple[i];
      if (typeof v !== 'string' && v !== null) continue;
      s += (first ? this.keyFirst[i] : this.keyNext[i]) + (v === null ? 'null' : jsonString(asText(this.casts, i, v)));
      first = false;
    }
    return s + '}';
  }
}

function checkTimes({ es, ts, xid }: { es: number; ts: number; xid: number }): void {
  if (!Number.isSafeInteger(es) || !Number.isSafeInteger(ts) || !Number.isSafeInteger(xid)) {
    throw new EnvelopeEncodeError(`es, ts and xid must be integers (got ${es}, ${ts}, ${xid})`);
  }
}

/**
 * Kafka message key for one row, see EnvelopeEncoder#messageKey. This resolves the key columns
 * on every call; on the hot path use the relation's EnvelopeEncoder instead.
 */
export function messageKey(schema: RelationSchema, tuple: Tuple): string | null {
  if (schema.pkNames.length === 0 || schema.keyIsRow) return null;
  return keyJson(tuple, positionsOf(schema, schema.pkNames, 'primary key'), castsOf(schema));
}
