import { EnvelopeEncodeError } from '../envelope';
import { UNCHANGED_TOAST, type Tuple } from '../pgoutput/messages';
import type { RelationSchema } from '../relation-schema';
import { newRowOf } from './new-row';
import { avroColumn, avroFieldNames, avroName, AvroValueError, type AvroColumn, type AvroSchema } from './avro-types';
import { DEBEZIUM_COMPAT_VERSION, debeziumOp, type DebeziumChange } from './debezium-json';

/**
 * Format "avro-registry": Debezium's change-event envelope (before, after, source, op, ts_ms) as
 * Avro, with a key and a value schema per table derived from the relation. The worker registers
 * them under `<topic>-key` / `<topic>-value` and writes the Confluent wire format; this part only
 * decides the schemas and the records, so it is pure. The envelope is Debezium's so that
 * consumers that know Debezium's Avro events (Flink's debezium-avro-confluent format, Kafka
 * Connect sinks with the Avro converter) read it as they read Debezium's.
 *
 * Like debezium-json, a change of the primary key is a delete of the old key and a create of the
 * new one (key-based consumers would otherwise keep the old row).
 */

export interface AvroRegistryOptions {
  /** Columns sent (see columnProjection); every column when absent. */
  columns?: readonly number[] | null;
}

/** One Kafka message before serialization: the key record (null without a key) and the envelope record. */
export interface AvroRecordMessage {
  key: Record<string, unknown> | null;
  value: Record<string, unknown>;
}

const SOURCE_SCHEMA = {
  type: 'record',
  name: 'Source',
  namespace: 'io.debezium.connector.postgresql',
  fields: [
    { name: 'version', type: 'string' },
    { name: 'connector', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'ts_ms', type: 'long' },
    { name: 'snapshot', type: ['string', 'null'], default: 'false' },
    { name: 'db', type: 'string' },
    { name: 'schema', type: 'string' },
    { name: 'table', type: 'string' },
    { name: 'txId', type: ['null', 'long'], default: null },
    { name: 'lsn', type: ['null', 'long'], default: null },
  ],
};

export class AvroRegistryEncoder {
  /** The `<topic>-key` schema; null when the table has no key (the messages then have none). */
  readonly keySchema: AvroSchema | null;
  /** The `<topic>-value` schema: the envelope. */
  readonly valueSchema: AvroSchema;
  private readonly out: readonly number[];
  private readonly columns: AvroColumn[];
  private readonly fields: string[];
  private readonly pkPositions: number[];
  private readonly source: Record<string, unknown>;

  constructor(
    readonly schema: RelationSchema,
    options: AvroRegistryOptions = {},
  ) {
    const count = schema.columns.length;
    this.out = options.columns ?? schema.columns.map((_, i) => i);
    for (const p of this.out) {
      if (!Number.isInteger(p) || p < 0 || p >= count) throw new EnvelopeEncodeError(`column position ${p} is outside ${schema.schema}.${schema.table}`);
    }
    const names = schema.columns.map((c) => c.name);
    this.fields = avroFieldNames(names);
    // A whole-row identity (FULL without a key) is no key: its columns may be null, and Debezium sends none.
    this.pkPositions = schema.keyIsRow
      ? []
      : schema.pkNames.map((name) => {
          const i = names.indexOf(name);
          if (i < 0) throw new EnvelopeEncodeError(`primary key column ${JSON.stringify(name)} is not a column of ${schema.schema}.${schema.table}`);
          return i;
        });
    this.columns = schema.columns.map(avroColumn);
    const pk = new Set(this.pkPositions);
    // Debezium's names: <server>.<schema>.<table>.Key/Value/Envelope (the database is the server name here).
    const namespace = [schema.database, schema.schema, schema.table].map(avroName).join('.');
    const field = (i: number, nullable: boolean) =>
      nullable ? { name: this.fields[i], type: ['null', this.columns[i].type], default: null } : { name: this.fields[i], type: this.columns[i].type };
    this.keySchema = this.pkPositions.length
      ? { type: 'record', name: 'Key', namespace, fields: this.pkPositions.map((i) => field(i, false)) }
      : null;
    // The Relation message does not say which columns are NOT NULL: every column outside the key may be null.
    const valueRow = { type: 'record', name: 'Value', namespace, fields: this.out.map((i) => field(i, !pk.has(i))) };
    this.valueSchema = {
      type: 'record',
      name: 'Envelope',
      namespace,
      fields: [
        { name: 'before', type: ['null', valueRow], default: null },
        { name: 'after', type: ['null', `${namespace}.Value`], default: null },
        { name: 'source', type: SOURCE_SCHEMA },
        { name: 'op', type: 'string' },
        { name: 'ts_ms', type: ['null', 'long'], default: null },
      ],
    };
    this.source = { version: DEBEZIUM_COMPAT_VERSION, connector: 'postgresql', name: schema.database, db: schema.database, schema: schema.schema, table: schema.table };
  }

  /** The records of one change: one, or a delete and a create for a key change. */
  encode(change: DebeziumChange): AvroRecordMessage[] {
    const table = `${this.schema.schema}.${this.schema.table}`;
    try {
      switch (change.kind) {
        case 'INSERT': {
          const after = this.need(change.newTuple, 'INSERT');
          return [{ key: this.key(after), value: this.envelope(change, null, this.row(after, null), debeziumOp('INSERT', change.snapshot)) }];
        }
        case 'UPDATE': {
          const after = this.need(change.newTuple, 'UPDATE');
          const old = change.oldTuple ?? change.keyTuple ?? null;
          if (old !== null && this.pkPositions.some((i) => typeof old[i] === 'string' && typeof after[i] === 'string' && old[i] !== after[i])) {
            return [
              { key: this.key(old), value: this.envelope(change, this.row(old, null), null, 'd') },
              { key: this.key(after), value: this.envelope(change, null, this.row(after, old), 'c') },
            ];
          }
          const before = change.oldTuple ? this.row(change.oldTuple, null) : null;
          return [{ key: this.key(after), value: this.envelope(change, before, this.row(after, old), 'u') }];
        }
        case 'DELETE': {
          const old = change.oldTuple ?? change.keyTuple;
          if (!old) throw new EnvelopeEncodeError(`DELETE on ${table} has no old row or key`);
          return [{ key: this.key(old), value: this.envelope(change, this.row(old, null), null, 'd') }];
        }
        case 'TRUNCATE':
          return [{ key: null, value: this.envelope(change, null, null, 't') }];
        default:
          throw new EnvelopeEncodeError(`unknown change kind ${JSON.stringify((change as { kind: unknown }).kind)}`);
      }
    } catch (error) {
      if (error instanceof AvroValueError || error instanceof RangeError || error instanceof SyntaxError) {
        throw new EnvelopeEncodeError(`${table}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /** The key record of a row ({primary key columns}), null without a key. */
  key(tuple: Tuple): Record<string, unknown> | null {
    if (!this.pkPositions.length) return null;
    const key: Record<string, unknown> = {};
    for (const i of this.pkPositions) {
      const v = tuple[i];
      if (typeof v !== 'string') throw new AvroValueError(`key column ${JSON.stringify(this.schema.columns[i].name)} has no value`);
      key[this.fields[i]] = this.columns[i].value(v);
    }
    return key;
  }

  private need(tuple: Tuple | null | undefined, kind: string): Tuple {
    return newRowOf(tuple, kind, this.schema, this.columns.length);
  }

  private envelope(change: DebeziumChange, before: Record<string, unknown> | null, after: Record<string, unknown> | null, op: string): Record<string, unknown> {
    const { es, ts, xid } = change;
    if (!Number.isSafeInteger(es) || !Number.isSafeInteger(ts) || !Number.isSafeInteger(xid)) {
      throw new EnvelopeEncodeError(`es, ts and xid must be integers (got ${es}, ${ts}, ${xid})`);
    }
    const snapshot = change.snapshot === 'last' ? 'last' : change.snapshot ? 'true' : 'false';
    return {
      before,
      after,
      source: { ...this.source, ts_ms: BigInt(es), snapshot, txId: BigInt(xid), lsn: change.commitLsn },
      op,
      ts_ms: BigInt(ts),
    };
  }

  /** One row; an unchanged TOAST value comes from `fallback`, else Debezium's placeholder where the type can carry it. */
  private row(tuple: Tuple, fallback: Tuple | null): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const i of this.out) {
      let v = tuple[i];
      if (v === UNCHANGED_TOAST && fallback !== null && typeof fallback[i] === 'string') v = fallback[i];
      if (v === null) row[this.fields[i]] = null;
      else if (typeof v === 'string') row[this.fields[i]] = this.columns[i].value(v);
      else if (v === UNCHANGED_TOAST) {
        if (this.columns[i].unavailable === null) {
          throw new AvroValueError(
            `column ${JSON.stringify(this.schema.columns[i].name)} holds an unchanged TOAST value PostgreSQL did not send, and its Avro type cannot carry ` +
              `the unavailable-value placeholder; set REPLICA IDENTITY FULL on the table so the old row carries it`,
          );
        }
        row[this.fields[i]] = this.columns[i].unavailable;
      } else {
        throw new AvroValueError(`column ${JSON.stringify(this.schema.columns[i].name)} holds a binary value; only text-format pgoutput values can be encoded`);
      }
    }
    return row;
  }
}
