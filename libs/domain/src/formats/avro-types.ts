import type { ColumnSchema } from '../relation-schema';
import { parseArrayText } from './pg-array-text';
import { dateEpochDays, intervalIso, isoTime, parseInterval, parseTimeMicros, timeTzUtcMicros, timestampEpochMicros } from './pg-temporal';
import { moneyDecimal, splitType, twosComplement, unscaled, UNAVAILABLE_VALUE } from './debezium-types';

/**
 * How format "avro-registry" types each PostgreSQL column as Avro (a schema a registry stores,
 * read by Confluent's and Apicurio's deserializers): Avro's own logical types where one fits
 * (decimal, date, time-micros, timestamp-micros, local-timestamp-micros, uuid), PostgreSQL's
 * output text otherwise. Values are the JavaScript forms avsc writes: numbers for int, float
 * and double, bigint for long, Buffer for bytes.
 */

/** An Avro schema as JSON (a type name, or a complex type's object). */
export type AvroSchema = string | { [key: string]: unknown } | AvroSchema[];

export class AvroValueError extends Error {
  override readonly name = 'AvroValueError';
}

export interface AvroColumn {
  /** The column's Avro type without the null branch. */
  type: AvroSchema;
  /** The Avro value of PostgreSQL's output text. */
  value(text: string): unknown;
  /** The value an unchanged TOAST column takes when PostgreSQL did not send it (Debezium's placeholder), null when the type cannot carry one. */
  unavailable: unknown;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

function infinite<T>(v: T | 'infinity' | '-infinity', max: T, min: T): T {
  return v === 'infinity' ? max : v === '-infinity' ? min : v;
}

const string = (text: string): string => text;
const STRING: Omit<AvroColumn, 'type'> = { value: string, unavailable: UNAVAILABLE_VALUE };

function byteaBytes(text: string): Buffer {
  if (!text.startsWith('\\x')) throw new AvroValueError('bytea value is not in hex output format (set bytea_output = hex)');
  return Buffer.from(text.slice(2), 'hex');
}

/** Avro float/double: PostgreSQL prints NaN and the infinities as words. */
function float(text: string): number {
  return text === 'NaN' ? NaN : text === 'Infinity' ? Infinity : text === '-Infinity' ? -Infinity : Number(text);
}

function scalar(type: string, column: ColumnSchema): AvroColumn {
  const { base, mods } = splitType(type);
  const what = `${base} column ${JSON.stringify(column.name)}`;
  switch (base) {
    case 'smallint':
    case 'integer':
      return { type: 'int', value: Number, unavailable: null };
    case 'bigint':
      return { type: 'long', value: BigInt, unavailable: null };
    case 'real':
      return { type: 'float', value: float, unavailable: null };
    case 'double precision':
      return { type: 'double', value: float, unavailable: null };
    case 'boolean':
      return { type: 'boolean', value: (t) => t === 't' || t === 'true', unavailable: null };
    case 'numeric': {
      // Avro's decimal has one scale per schema: a numeric without one is its text.
      if (mods.length === 0) return { type: 'string', ...STRING };
      const [precision, scale = 0] = mods;
      return {
        type: { type: 'bytes', logicalType: 'decimal', precision, scale },
        value: (t) => {
          if (!/^-?\d+(\.\d+)?$/.test(t)) throw new AvroValueError(`${what} value ${JSON.stringify(t)} has no exact decimal form (an Avro decimal cannot carry it)`);
          const u = unscaled(t, what);
          if (u.scale > scale) throw new AvroValueError(`${what} value has more than ${scale} decimals`);
          return Buffer.from(twosComplement(u.value * 10n ** BigInt(scale - u.scale)));
        },
        unavailable: null,
      };
    }
    case 'money':
      return { type: 'string', value: moneyDecimal, unavailable: UNAVAILABLE_VALUE };
    case 'bytea':
      return { type: 'bytes', value: byteaBytes, unavailable: Buffer.from(UNAVAILABLE_VALUE) };
    case 'bit':
      if ((mods[0] ?? 1) === 1) return { type: 'boolean', value: (t) => t === '1', unavailable: null };
      return { type: 'string', ...STRING };
    case 'date':
      return { type: { type: 'int', logicalType: 'date' }, value: (t) => infinite(dateEpochDays(t), INT32_MAX, INT32_MIN), unavailable: null };
    case 'time without time zone':
      return { type: { type: 'long', logicalType: 'time-micros' }, value: parseTimeMicros, unavailable: null };
    case 'time with time zone':
      return { type: 'string', value: (t) => isoTime(timeTzUtcMicros(t)) + 'Z', unavailable: null };
    case 'timestamp without time zone':
      // A wall-clock time: Avro's local timestamp, so that no reader shifts it by a zone.
      return {
        type: { type: 'long', logicalType: 'local-timestamp-micros' },
        value: (t) => infinite(timestampEpochMicros(t, false), INT64_MAX, INT64_MIN),
        unavailable: null,
      };
    case 'timestamp with time zone':
      return { type: { type: 'long', logicalType: 'timestamp-micros' }, value: (t) => infinite(timestampEpochMicros(t, true), INT64_MAX, INT64_MIN), unavailable: null };
    case 'interval':
      return { type: 'string', value: (t) => intervalIso(parseInterval(t)), unavailable: null };
    case 'uuid':
      return { type: { type: 'string', logicalType: 'uuid' }, value: string, unavailable: null };
    default:
      // text, varchar, char, json(b), xml, enums, inet, ranges, geometry, composites...: the text PostgreSQL prints.
      return { type: 'string', ...STRING };
  }
}

/** The Avro typing of one column: a domain as its base type, an array as an Avro array of nullable elements. */
export function avroColumn(column: ColumnSchema): AvroColumn {
  const type = column.baseType ?? column.type;
  if (!type.endsWith('[]')) return scalar(type, column);
  const elementType = type.slice(0, -2);
  const element = scalar(elementType, { ...column, kind: undefined, enumLabels: undefined });
  const delimiter = splitType(elementType).base === 'box' ? ';' : ',';
  return {
    type: { type: 'array', items: ['null', element.type] },
    value: (t) => {
      try {
        return parseArrayText(t, delimiter).map((v) => (v === null ? null : element.value(v)));
      } catch (error) {
        throw new AvroValueError(`array column ${JSON.stringify(column.name)}: ${(error as Error).message}; an Avro array has one dimension (use format "json")`);
      }
    },
    unavailable: null,
  };
}

const AVRO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A valid Avro name for any identifier: other characters become '_', a leading digit gets a '_' before it. */
export function avroName(name: string): string {
  if (AVRO_NAME.test(name)) return name;
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) || s === '' ? `_${s}` : s;
}

/** Avro names for a record's fields, unique: a second column sanitized to the same name gets `_2`, `_3`... */
export function avroFieldNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const base = avroName(name);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
    taken.add(candidate);
    return candidate;
  });
}
