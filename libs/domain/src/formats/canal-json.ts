import type { ChangeKind, RowChange } from '../envelope';
import { qualifiedName } from '../sql-text';
import { EnvelopeEncodeError } from '../envelope';
import { castOutputToText, type TextCast } from '../pg-text-cast';
import { UNCHANGED_TOAST, type Tuple } from '../pgoutput/messages';
import type { RelationSchema } from '../relation-schema';
import { newRowOf } from './new-row';
import { splitType } from './debezium-types';

/**
 * Canal's flat message (format "canal-json"), the layout Alibaba DTS writes for Kafka targets and
 * Flink's canal-json format reads: values as strings (`col::text`, like the JSON envelope),
 * `data` the new row (the deleted row for DELETE), `old` for UPDATE only the columns that
 * changed, with their previous values, `sqlType` the java.sql.Types code a JDBC driver reports
 * and `pgType` (Canal's `mysqlType`) the column's PostgreSQL type. `id` is the commit LSN as a
 * number: Canal's id names the batch (a transaction here), not the row.
 */

export interface CanalOptions {
  /** Columns sent (see columnProjection); every column when absent. */
  columns?: readonly number[] | null;
}

type Row = Record<string, string | null>;

/** A change as this encoder takes it: the row changes, plus TRUNCATE once the stream sends it. */
export type CanalChange = Omit<RowChange, 'kind'> & { kind: ChangeKind | 'TRUNCATE' };

/** java.sql.Types of PostgreSQL's types as pgjdbc reports them. */
const SQL_TYPES: Record<string, number> = {
  smallint: 5,
  integer: 4,
  bigint: -5,
  numeric: 2,
  real: 7,
  'double precision': 8,
  money: 8,
  character: 1,
  'character varying': 12,
  text: 12,
  name: 12,
  bytea: -2,
  date: 91,
  'time without time zone': 92,
  'time with time zone': 92,
  'timestamp without time zone': 93,
  'timestamp with time zone': 93,
  boolean: -7,
  bit: -7,
  xml: 2009,
};

export function sqlTypeOf(type: string): number {
  if (type.endsWith('[]')) return 2003; // ARRAY
  return SQL_TYPES[splitType(type).base] ?? 1111; // OTHER
}

export class CanalJsonEncoder {
  private readonly out: readonly number[];
  private readonly names: string[];
  private readonly casts: (TextCast | undefined)[];
  private readonly keyPositions: number[];
  private readonly head: string;
  private readonly meta: string;
  private readonly sqlPart: string;
  private toast: string[] | null = null;

  constructor(
    readonly schema: RelationSchema,
    options: CanalOptions = {},
  ) {
    this.out = options.columns ?? schema.columns.map((_, i) => i);
    for (const p of this.out) {
      if (!Number.isInteger(p) || p < 0 || p >= schema.columns.length) throw new EnvelopeEncodeError(`column position ${p} is outside ${schema.schema}.${schema.table}`);
    }
    this.names = schema.columns.map((c) => c.name);
    this.casts = schema.columns.map((c) => c.textCast);
    this.keyPositions = schema.pkNames.map((n) => this.names.indexOf(n)).filter((i) => i >= 0);
    const pgType = Object.create(null) as Record<string, string>;
    const sqlType = Object.create(null) as Record<string, number>;
    for (const i of this.out) {
      const c = schema.columns[i];
      pgType[c.name] = c.type;
      sqlType[c.name] = sqlTypeOf(c.baseType ?? c.type);
    }
    this.head = `,"database":${JSON.stringify(schema.database)},"schema":${JSON.stringify(schema.schema)}`;
    this.meta = `,"isDdl":false,"pgType":${JSON.stringify(pgType)}`;
    this.sqlPart = `,"pkNames":${JSON.stringify(schema.pkNames)},"sql":"","sqlType":${JSON.stringify(sqlType)},"table":${JSON.stringify(schema.table)}`;
  }

  encode(change: CanalChange): string {
    if (change.kind === 'TRUNCATE') return this.truncate(change);
    this.toast = null;
    let data: Row;
    let old: Row[] | null = null;
    switch (change.kind) {
      case 'INSERT':
        data = this.row(this.need(change.newTuple), null, false);
        break;
      case 'UPDATE': {
        const newTuple = this.need(change.newTuple);
        const image = change.oldTuple ?? change.keyTuple ?? null;
        data = this.row(newTuple, image, false);
        // Canal's `old`: the changed columns only. Without an old image nothing is known to have
        // changed (the key did not: PostgreSQL sends the key when it does).
        const changed = Object.create(null) as Row;
        if (image !== null) {
          const before = this.row(image, null, !change.oldTuple, false);
          for (const name of Object.keys(before)) if (before[name] !== data[name]) changed[name] = before[name];
        }
        old = [changed];
        break;
      }
      case 'DELETE': {
        const image = change.oldTuple ?? change.keyTuple;
        if (!image) throw new EnvelopeEncodeError(`DELETE on ${this.schema.schema}.${this.schema.table} has no old row or key`);
        data = this.row(image, null, !change.oldTuple);
        break;
      }
      default:
        throw new EnvelopeEncodeError(`unknown change kind ${JSON.stringify((change as { kind: unknown }).kind)}`);
    }
    const { es, ts } = change;
    if (!Number.isSafeInteger(es) || !Number.isSafeInteger(ts)) throw new EnvelopeEncodeError(`es and ts must be integers (got ${es}, ${ts})`);
    let s =
      `{"data":[${JSON.stringify(data)}]` + this.head +
      `,"es":${es},"id":${change.commitLsn.toString()}` + this.meta +
      `,"old":${old === null ? 'null' : JSON.stringify(old)}` + this.sqlPart +
      `,"ts":${ts},"type":"${change.kind}"`;
    if (this.toast !== null) s += `,"unchangedToast":${JSON.stringify(this.toast)}`;
    return s + '}';
  }

  /** Canal sends a TRUNCATE as DDL (isDdl, the statement in sql, no rows); Flink's canal-json skips it. */
  private truncate(change: CanalChange): string {
    const sql = 'TRUNCATE TABLE ' + qualifiedName(this.schema.schema, this.schema.table);
    return (
      `{"data":null` + this.head + `,"es":${change.es},"id":${change.commitLsn.toString()},"isDdl":true,"pgType":null,"old":null,"pkNames":null,` +
      `"sql":${JSON.stringify(sql)},"sqlType":null,"table":${JSON.stringify(this.schema.table)},"ts":${change.ts},"type":"TRUNCATE"}`
    );
  }

  private need(tuple: Tuple | null | undefined): Tuple {
    return newRowOf(tuple, 'change', this.schema, this.names.length);
  }

  /**
   * One row as `col::text` strings. `keyOnly` keeps only the key columns of a key-only image;
   * an unchanged TOAST value comes from `fallback` or is left out and named in `unchangedToast`.
   */
  private row(tuple: Tuple, fallback: Tuple | null, keyOnly: boolean, recordToast = true): Row {
    const row = Object.create(null) as Row;
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
        if (!keyOnly || this.keyPositions.includes(i)) row[this.names[i]] = null;
      } else if (typeof v === 'string') {
        const cast = this.casts[i];
        row[this.names[i]] = cast === undefined ? v : castOutputToText(cast, v);
      } else {
        throw new EnvelopeEncodeError(`column ${JSON.stringify(this.names[i])} of ${this.schema.schema}.${this.schema.table} holds a binary value; only text-format pgoutput values can be encoded`);
      }
    }
    return row;
  }
}
