import { jsonString } from '../json-string';
import type { ChangeKind, RowChange } from '../envelope';
import { EnvelopeEncodeError } from '../envelope';
import { UNCHANGED_TOAST, type Tuple } from '../pgoutput/messages';
import type { RelationSchema } from '../relation-schema';
import { newRowOf } from './new-row';
import { debeziumColumn, DebeziumValueError, type ConnectSchema, type DebeziumColumn, type DebeziumTypeOptions } from './debezium-types';

/**
 * Debezium's PostgreSQL change events (format "debezium-json"): the value a Debezium connector
 * with Kafka Connect's JSON converter writes, so Debezium sinks, Flink's debezium-json format,
 * ClickHouse, Materialize, RisingWave and Spark read the topic as they read Debezium's.
 *
 * Like Debezium, a change of the primary key becomes a delete of the old key (then its
 * tombstone, when tombstones are on) and a create of the new one: key-based consumers (the JDBC
 * sink, compacted topics) would otherwise keep the old row.
 */

/** What `source.version` says: which Debezium release's event layout this follows. */
export const DEBEZIUM_COMPAT_VERSION = '2.7.0.Final-walbridge';

export interface DebeziumOptions extends DebeziumTypeOptions {
  /** The JSON converter's schemas.enable: `{schema, payload}` for key and value. */
  includeSchema: boolean;
  /** Debezium's tombstones.on.delete: a null-valued message with the key after each delete. */
  tombstones: boolean;
  /** Columns sent (see columnProjection); every column when absent. */
  columns?: readonly number[] | null;
}

/** A change as this encoder takes it: the row changes, plus what snapshot and TRUNCATE support will send. */
export type DebeziumChange = Omit<RowChange, 'kind' | 'snapshot'> & {
  kind: ChangeKind | 'TRUNCATE';
  /** A row read by a snapshot (op "r"); 'last' marks the snapshot's last row. */
  snapshot?: boolean | 'last';
};

/** One Kafka message: key and value JSON, null value for a tombstone. */
export interface DebeziumMessage {
  key: string | null;
  value: string | null;
}

/** Debezium's op for a change. */
export function debeziumOp(kind: DebeziumChange['kind'], snapshot?: DebeziumChange['snapshot']): 'c' | 'u' | 'd' | 'r' | 't' {
  switch (kind) {
    case 'INSERT':
      return snapshot ? 'r' : 'c';
    case 'UPDATE':
      return 'u';
    case 'DELETE':
      return 'd';
    case 'TRUNCATE':
      return 't';
    default:
      throw new EnvelopeEncodeError(`unknown change kind ${JSON.stringify(kind)}`);
  }
}

const field = (name: string, s: ConnectSchema): ConnectSchema & { field: string } => ({ ...s, field: name });

function sourceSchema(): ConnectSchema {
  const s = (optional = false): ConnectSchema => ({ type: 'string', optional });
  const i64 = (optional: boolean): ConnectSchema => ({ type: 'int64', optional });
  return {
    type: 'struct',
    optional: false,
    name: 'io.debezium.connector.postgresql.Source',
    fields: [
      field('version', s()),
      field('connector', s()),
      field('name', s()),
      field('ts_ms', i64(false)),
      field('snapshot', { type: 'string', optional: true, name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'true,last,false,incremental' }, default: 'false' }),
      field('db', s()),
      field('sequence', s(true)),
      field('schema', s()),
      field('table', s()),
      field('txId', i64(true)),
      field('lsn', i64(true)),
      field('xmin', i64(true)),
    ],
  };
}

export class DebeziumJsonEncoder {
  private readonly out: readonly number[];
  private readonly columns: DebeziumColumn[];
  private readonly names: string[];
  private readonly keyNames: string[];
  private readonly pkPositions: number[];
  private readonly keyPrefix: string;
  private readonly valuePrefix: string;
  private readonly valueSuffix: string;
  private readonly sourceHead: string;
  private readonly sourceMiddle: string;

  constructor(
    readonly schema: RelationSchema,
    private readonly options: DebeziumOptions,
  ) {
    const count = schema.columns.length;
    this.out = options.columns ?? schema.columns.map((_, i) => i);
    for (const p of this.out) {
      if (!Number.isInteger(p) || p < 0 || p >= count) throw new EnvelopeEncodeError(`column position ${p} is outside ${schema.schema}.${schema.table}`);
    }
    this.names = schema.columns.map((c) => c.name);
    this.keyNames = this.names.map((n) => jsonString(n) + ':');
    this.pkPositions = schema.pkNames.map((name) => {
      const i = this.names.indexOf(name);
      if (i < 0) throw new EnvelopeEncodeError(`primary key column ${JSON.stringify(name)} is not a column of ${schema.schema}.${schema.table}`);
      return i;
    });
    const pk = new Set(this.pkPositions);
    this.columns = schema.columns.map((c, i) => debeziumColumn(c, options, !pk.has(i)));

    // Debezium names a table's schemas after the topic prefix, the schema and the table.
    const server = schema.database;
    const prefix = `${server}.${schema.schema}.${schema.table}`;
    const row = (name: string, positions: readonly number[], optional: boolean): ConnectSchema => ({
      type: 'struct',
      optional,
      name,
      fields: positions.map((i) => field(this.names[i], this.columns[i].schema)),
    });
    const valueRow = row(`${prefix}.Value`, this.out, true);
    const envelope: ConnectSchema = {
      type: 'struct',
      optional: false,
      name: `${prefix}.Envelope`,
      version: 1,
      fields: [
        field('before', valueRow),
        field('after', valueRow),
        field('source', sourceSchema()),
        field('op', { type: 'string', optional: false }),
        field('ts_ms', { type: 'int64', optional: true }),
      ],
    };
    this.keyPrefix = options.includeSchema ? `{"schema":${JSON.stringify(row(`${prefix}.Key`, this.pkPositions, false))},"payload":` : '';
    this.valuePrefix = options.includeSchema ? `{"schema":${JSON.stringify(envelope)},"payload":` : '';
    this.valueSuffix = options.includeSchema ? '}' : '';
    this.sourceHead =
      `,"source":{"version":${jsonString(DEBEZIUM_COMPAT_VERSION)},"connector":"postgresql","name":${jsonString(server)},"ts_ms":`;
    this.sourceMiddle = `,"db":${jsonString(schema.database)},"sequence":null,"schema":${jsonString(schema.schema)},"table":${jsonString(schema.table)},"txId":`;
  }

  /** The messages of one change: usually one; a key change or a delete with tombstones gives more. */
  encode(change: DebeziumChange): DebeziumMessage[] {
    const { es, ts, xid } = change;
    if (!Number.isSafeInteger(es) || !Number.isSafeInteger(ts) || !Number.isSafeInteger(xid)) {
      throw new EnvelopeEncodeError(`es, ts and xid must be integers (got ${es}, ${ts}, ${xid})`);
    }
    const table = `${this.schema.schema}.${this.schema.table}`;
    try {
      switch (change.kind) {
        case 'INSERT': {
          const after = this.need(change.newTuple, 'INSERT');
          return [{ key: this.key(after), value: this.value(change, null, this.row(after, null), debeziumOp('INSERT', change.snapshot)) }];
        }
        case 'UPDATE': {
          const after = this.need(change.newTuple, 'UPDATE');
          const old = change.oldTuple ?? change.keyTuple ?? null;
          if (old !== null && this.keyChanged(old, after)) {
            // Debezium: DELETE of the old key (+ tombstone), CREATE of the new one.
            const oldKey = this.key(old);
            const messages: DebeziumMessage[] = [{ key: oldKey, value: this.value(change, this.row(old, null), null, 'd') }];
            if (this.options.tombstones) messages.push({ key: oldKey, value: null });
            messages.push({ key: this.key(after), value: this.value(change, null, this.row(after, old), 'c') });
            return messages;
          }
          const before = change.oldTuple ? this.row(change.oldTuple, null) : null;
          return [{ key: this.key(after), value: this.value(change, before, this.row(after, old), 'u') }];
        }
        case 'DELETE': {
          const old = change.oldTuple ?? change.keyTuple;
          if (!old) throw new EnvelopeEncodeError(`DELETE on ${table} has no old row or key`);
          const key = this.key(old);
          const messages: DebeziumMessage[] = [{ key, value: this.value(change, this.row(old, null), null, 'd') }];
          if (this.options.tombstones && key !== null) messages.push({ key, value: null });
          return messages;
        }
        case 'TRUNCATE':
          return [{ key: null, value: this.value(change, null, null, 't') }];
        default:
          throw new EnvelopeEncodeError(`unknown change kind ${JSON.stringify((change as { kind: unknown }).kind)}`);
      }
    } catch (error) {
      if (error instanceof DebeziumValueError) throw new EnvelopeEncodeError(`${table}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  private need(tuple: Tuple | null | undefined, kind: string): Tuple {
    return newRowOf(tuple, kind, this.schema, this.columns.length);
  }

  private keyChanged(old: Tuple, after: Tuple): boolean {
    if (this.pkPositions.length === 0) return false;
    return this.pkPositions.some((i) => typeof old[i] === 'string' && typeof after[i] === 'string' && old[i] !== after[i]);
  }

  private value(change: DebeziumChange, before: string | null, after: string | null, op: string): string {
    const snapshot = change.snapshot === 'last' ? 'last' : change.snapshot ? 'true' : 'false';
    return (
      this.valuePrefix +
      `{"before":${before ?? 'null'},"after":${after ?? 'null'}` +
      this.sourceHead + change.es + `,"snapshot":"${snapshot}"` +
      this.sourceMiddle + change.xid + ',"lsn":' + change.commitLsn.toString() + ',"xmin":null}' +
      `,"op":"${op}","ts_ms":${change.ts}}` +
      this.valueSuffix
    );
  }

  /** The key struct ({pk columns}), null without a primary key (like Debezium under REPLICA IDENTITY FULL). */
  key(tuple: Tuple): string | null {
    if (this.pkPositions.length === 0) return null;
    let s = '{';
    this.pkPositions.forEach((i, k) => {
      const v = tuple[i];
      s += (k ? ',' : '') + this.keyNames[i] + (typeof v === 'string' ? this.columns[i].json(v) : 'null');
    });
    return this.keyPrefix + s + '}' + (this.keyPrefix ? '}' : '');
  }

  /** One row; an unchanged TOAST value comes from `fallback`, else Debezium's placeholder. */
  private row(tuple: Tuple, fallback: Tuple | null): string {
    let s = '{';
    const out = this.out;
    for (let k = 0; k < out.length; k++) {
      const i = out[k];
      let v = tuple[i];
      if (v === UNCHANGED_TOAST && fallback !== null && typeof fallback[i] === 'string') v = fallback[i];
      let json: string;
      if (v === null) json = 'null';
      else if (typeof v === 'string') json = this.columns[i].json(v);
      else if (v === UNCHANGED_TOAST) {
        const placeholder = this.columns[i].unavailable;
        if (placeholder === null) {
          throw new DebeziumValueError(
            `column ${JSON.stringify(this.names[i])} holds an unchanged TOAST value PostgreSQL did not send, and its Debezium type cannot carry ` +
              `the unavailable-value placeholder; set REPLICA IDENTITY FULL on the table so the old row carries it`,
          );
        }
        json = placeholder;
      } else {
        throw new DebeziumValueError(`column ${JSON.stringify(this.names[i])} holds a binary value; only text-format pgoutput values can be encoded`);
      }
      s += (k ? ',' : '') + this.keyNames[i] + json;
    }
    return s + '}';
  }
}
