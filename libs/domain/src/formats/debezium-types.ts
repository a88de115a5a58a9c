import { jsonString } from '../json-string';
import type { ColumnSchema } from '../relation-schema';
import { parseArrayText } from './pg-array-text';
import {
  dateEpochDays,
  intervalIso,
  intervalMicros,
  isoDate,
  isoDateTime,
  isoTime,
  parseInterval,
  parseTimeMicros,
  timeTzUtcMicros,
  timestampEpochMicros,
} from './pg-temporal';

/**
 * How Debezium's PostgreSQL connector types each column (docs: "Data type mappings"), for the
 * PostgreSQL output text pgoutput sends. Each column gets a Kafka Connect schema (the JSON
 * converter's `schema` part) and a function from the text to the JSON value.
 */

/** Debezium's decimal.handling.mode: `precise` (Connect Decimal, base64 bytes) or `string`. */
export type DecimalHandling = 'precise' | 'string';
/**
 * `micros`: Debezium's adaptive_time_microseconds (date as epoch days, time and timestamp as epoch
 * micros, interval as MicroDuration micros). `iso`: ISO-8601 strings, which Flink, Spark and
 * ClickHouse parse (interval as Debezium's interval.handling.mode=string).
 */
export type TimeHandling = 'micros' | 'iso';

export interface DebeziumTypeOptions {
  decimalHandling: DecimalHandling;
  timeHandling: TimeHandling;
}

/** A Kafka Connect schema as the JSON converter writes it (schemas.enable=true): its type names, e.g. "float" and "double" for FLOAT32 and FLOAT64 (org.apache.kafka.connect.json.JsonSchema), else JsonConverter refuses the message. */
export interface ConnectSchema {
  type: 'int8' | 'int16' | 'int32' | 'int64' | 'float' | 'double' | 'boolean' | 'string' | 'bytes' | 'array' | 'map' | 'struct';
  optional: boolean;
  name?: string;
  version?: number;
  parameters?: Record<string, string>;
  default?: unknown;
  items?: ConnectSchema;
  fields?: (ConnectSchema & { field: string })[];
  field?: string;
}

export class DebeziumValueError extends Error {
  override readonly name = 'DebeziumValueError';
}

/** Debezium's unavailable.value.placeholder: an unchanged TOAST value the source did not send. */
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

export interface DebeziumColumn {
  /** The column's schema (optional: every column but the key's may be null). */
  schema: ConnectSchema;
  /** The JSON value of the column's output text. */
  json(text: string): string;
  /** The JSON for an unchanged TOAST value, or null when the type cannot carry the placeholder. */
  unavailable: string | null;
}

type Converter = { schema: Omit<ConnectSchema, 'optional'>; json: (text: string) => string; unavailable: string | null };

const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';
const INT64_MAX_N = BigInt(INT64_MAX);
const INT64_MIN_N = BigInt(INT64_MIN);

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 (RFC 4648, padded), what the JSON converter writes for bytes. */
export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63];
    s += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : '=';
    s += i + 2 < bytes.length ? BASE64[n & 63] : '=';
  }
  return s;
}

function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Big-endian two's complement, shortest form: java.math.BigInteger#toByteArray. */
export function twosComplement(n: bigint): Uint8Array {
  let len = 1;
  while (n > (1n << BigInt(8 * len - 1)) - 1n || n < -(1n << BigInt(8 * len - 1))) len++;
  let v = n < 0n ? (1n << BigInt(8 * len)) + n : n;
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const NUMERIC_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Unscaled value and scale of a finite numeric's text; NaN and ±Infinity have neither. */
export function unscaled(text: string, what: string): { value: bigint; scale: number } {
  const m = NUMERIC_TEXT.exec(text);
  if (!m) {
    throw new DebeziumValueError(
      `${what} value ${JSON.stringify(text)} has no exact decimal form; decimalHandling "precise" cannot carry it (choose "string")`,
    );
  }
  const frac = m[3] ?? '';
  const v = BigInt(m[2] + frac);
  return { value: m[1] ? -v : v, scale: frac.length };
}

function rescale(u: { value: bigint; scale: number }, scale: number, what: string): bigint {
  if (u.scale === scale) return u.value;
  if (u.scale < scale) return u.value * 10n ** BigInt(scale - u.scale);
  throw new DebeziumValueError(`${what} value has more than ${scale} decimals`);
}

/**
 * money's text is locale-formatted ('-$1,234.56', '($1.00)'): the plain decimal in it. Only a
 * '.' decimal point with ',' grouping in threes is read; any other layout (lc_monetary of a
 * decimal-comma locale) is refused rather than guessed.
 */
export function moneyDecimal(text: string): string {
  const m = /^([^\d]*?)(\d{1,3}(?:,\d{3})*|\d+)(?:\.(\d+))?([^\d]*)$/.exec(text);
  if (!m) {
    throw new DebeziumValueError(`money value ${JSON.stringify(text)} is not in a '.'-decimal layout (lc_monetary); use format "json", which sends the text as it is`);
  }
  const neg = /[-(]/.test(m[1] + m[4]);
  return (neg ? '-' : '') + m[2].replace(/,/g, '') + (m[3] ? '.' + m[3] : '');
}

/** bytea's hex output ('\x00ff'); bytea_output=escape is refused. */
function byteaBytes(text: string): Uint8Array {
  if (!text.startsWith('\\x')) throw new DebeziumValueError('bytea value is not in hex output format (set bytea_output = hex)');
  const hex = text.slice(2);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Debezium's Bits: the bit string's value as little-endian bytes, ceil(n / 8) of them. */
export function bitsBytes(bits: string): Uint8Array {
  let v = bits.length ? BigInt('0b' + bits) : 0n;
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < out.length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Debezium's geometry Point: x, y and the point as WKB (little endian). */
function pointJson(text: string): string {
  const m = /^\(([^,]+),([^)]+)\)$/.exec(text);
  if (!m) throw new DebeziumValueError(`point value ${JSON.stringify(text)} is not (x,y)`);
  const x = Number(m[1]);
  const y = Number(m[2]);
  const wkb = new Uint8Array(21);
  const view = new DataView(wkb.buffer);
  view.setUint8(0, 1);
  view.setUint32(1, 1, true);
  view.setFloat64(5, x, true);
  view.setFloat64(13, y, true);
  return `{"x":${floatJson(m[1])},"y":${floatJson(m[2])},"wkb":"${base64(wkb)}","srid":null}`;
}

/** Jackson writes NaN and infinities as strings; everything else float4out/float8out print ('1.5', '3.4028235e+38') is a JSON number. */
function floatJson(text: string): string {
  return text === 'NaN' || text === 'Infinity' || text === '-Infinity' ? '"' + text + '"' : text;
}

const str = (name?: string, parameters?: Record<string, string>): Omit<ConnectSchema, 'optional'> => ({
  type: 'string',
  ...(name ? { name } : {}),
  ...(parameters ? { parameters } : {}),
});

const asString: Converter['json'] = (t) => jsonString(t);
const PLACEHOLDER_STRING = jsonString(UNAVAILABLE_VALUE);
const PLACEHOLDER_BYTES = '"' + base64(asciiBytes(UNAVAILABLE_VALUE)) + '"';

function infiniteOr<T>(v: T | 'infinity' | '-infinity', max: string, min: string, f: (v: T) => string): string {
  return v === 'infinity' ? max : v === '-infinity' ? min : f(v);
}

/** The base type name and its modifiers: 'numeric(12,2)' → numeric, [12, 2]; 'timestamp(3) with time zone' → …, [3]. */
export function splitType(type: string): { base: string; mods: number[] } {
  const m = /\((\d+)(?:,(\d+))?\)/.exec(type);
  if (!m) return { base: type, mods: [] };
  return { base: (type.slice(0, m.index) + type.slice(m.index + m[0].length)).trim(), mods: m[2] === undefined ? [Number(m[1])] : [Number(m[1]), Number(m[2])] };
}

function scalar(type: string, column: ColumnSchema, o: DebeziumTypeOptions): Converter {
  const { base, mods } = splitType(type);
  const iso = o.timeHandling === 'iso';
  switch (base) {
    case 'smallint':
      return { schema: { type: 'int16' }, json: (t) => t, unavailable: null };
    case 'integer':
      return { schema: { type: 'int32' }, json: (t) => t, unavailable: null };
    case 'bigint':
      return { schema: { type: 'int64' }, json: (t) => t, unavailable: null };
    case 'real':
      return { schema: { type: 'float' }, json: floatJson, unavailable: null };
    case 'double precision':
      return { schema: { type: 'double' }, json: floatJson, unavailable: null };
    case 'boolean':
      return { schema: { type: 'boolean' }, json: (t) => (t === 't' || t === 'true' ? 'true' : 'false'), unavailable: null };
    case 'numeric':
    case 'money': {
      const money = base === 'money';
      const decimal = money ? moneyDecimal : (t: string) => t;
      if (o.decimalHandling === 'string') return { schema: str(), json: (t) => jsonString(decimal(t)), unavailable: PLACEHOLDER_STRING };
      const what = `${base} column ${JSON.stringify(column.name)}`;
      const scale = money ? 2 : mods.length === 2 ? mods[1] : mods.length === 1 ? 0 : null;
      if (scale === null) {
        return {
          schema: {
            type: 'struct',
            name: 'io.debezium.data.VariableScaleDecimal',
            version: 1,
            fields: [
              { type: 'int32', optional: false, field: 'scale' },
              { type: 'bytes', optional: false, field: 'value' },
            ],
          },
          json: (t) => {
            const u = unscaled(t, what);
            return `{"scale":${u.scale},"value":"${base64(twosComplement(u.value))}"}`;
          },
          unavailable: null,
        };
      }
      const parameters: Record<string, string> = { scale: String(scale) };
      if (!money && mods.length) parameters['connect.decimal.precision'] = String(mods[0]);
      return {
        schema: { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters },
        json: (t) => '"' + base64(twosComplement(rescale(unscaled(decimal(t), what), scale, what))) + '"',
        unavailable: null,
      };
    }
    case 'bytea':
      return { schema: { type: 'bytes' }, json: (t) => '"' + base64(byteaBytes(t)) + '"', unavailable: PLACEHOLDER_BYTES };
    case 'bit':
    case 'bit varying': {
      const length = mods[0] ?? (base === 'bit' ? 1 : undefined);
      if (base === 'bit' && length === 1) return { schema: { type: 'boolean' }, json: (t) => (t === '1' ? 'true' : 'false'), unavailable: null };
      return {
        schema: { type: 'bytes', name: 'io.debezium.data.Bits', version: 1, ...(length !== undefined ? { parameters: { length: String(length) } } : {}) },
        json: (t) => '"' + base64(bitsBytes(t)) + '"',
        unavailable: PLACEHOLDER_BYTES,
      };
    }
    case 'date':
      return iso
        ? { schema: str(), json: (t) => jsonString(infiniteOr(dateEpochDays(t), 'infinity', '-infinity', isoDate)), unavailable: null }
        : { schema: { type: 'int32', name: 'io.debezium.time.Date', version: 1 }, json: (t) => infiniteOr(dateEpochDays(t), '2147483647', '-2147483648', String), unavailable: null };
    case 'time without time zone':
      return iso
        ? { schema: str(), json: (t) => jsonString(isoTime(parseTimeMicros(t))), unavailable: null }
        : { schema: { type: 'int64', name: 'io.debezium.time.MicroTime', version: 1 }, json: (t) => String(parseTimeMicros(t)), unavailable: null };
    case 'time with time zone':
      return { schema: str('io.debezium.time.ZonedTime'), json: (t) => jsonString(isoTime(timeTzUtcMicros(t)) + 'Z'), unavailable: null };
    case 'timestamp without time zone':
      return iso
        ? { schema: str(), json: (t) => jsonString(infiniteOr(timestampEpochMicros(t, false), 'infinity', '-infinity', isoDateTime)), unavailable: null }
        : {
            schema: { type: 'int64', name: 'io.debezium.time.MicroTimestamp', version: 1 },
            json: (t) => infiniteOr(timestampEpochMicros(t, false), INT64_MAX, INT64_MIN, String),
            unavailable: null,
          };
    case 'timestamp with time zone':
      return {
        schema: str('io.debezium.time.ZonedTimestamp'),
        json: (t) => jsonString(infiniteOr(timestampEpochMicros(t, true), 'infinity', '-infinity', (us) => isoDateTime(us) + 'Z')),
        unavailable: null,
      };
    case 'interval':
      return iso
        ? { schema: str('io.debezium.time.Interval'), json: (t) => jsonString(intervalIso(parseInterval(t))), unavailable: null }
        : {
            schema: { type: 'int64', name: 'io.debezium.time.MicroDuration', version: 1 },
            json: (t) => {
              const us = intervalMicros(parseInterval(t));
              if (us > INT64_MAX_N || us < INT64_MIN_N) {
                throw new DebeziumValueError(`interval column ${JSON.stringify(column.name)} value ${JSON.stringify(t)} exceeds int64 microseconds; timeHandling "iso" can carry it`);
              }
              return String(us);
            },
            unavailable: null,
          };
    case 'uuid':
      return { schema: str('io.debezium.data.Uuid'), json: asString, unavailable: null };
    case 'json':
    case 'jsonb':
      return { schema: str('io.debezium.data.Json'), json: asString, unavailable: PLACEHOLDER_STRING };
    case 'xml':
      return { schema: str('io.debezium.data.Xml'), json: asString, unavailable: PLACEHOLDER_STRING };
    case 'point':
      return {
        schema: {
          type: 'struct',
          name: 'io.debezium.data.geometry.Point',
          version: 1,
          fields: [
            { type: 'double', optional: false, field: 'x' },
            { type: 'double', optional: false, field: 'y' },
            { type: 'bytes', optional: true, field: 'wkb' },
            { type: 'int32', optional: true, field: 'srid' },
          ],
        },
        json: pointJson,
        unavailable: null,
      };
    default:
      if (column.kind === 'enum' || column.enumLabels) {
        return { schema: str('io.debezium.data.Enum', { allowed: (column.enumLabels ?? []).join(',') }), json: asString, unavailable: PLACEHOLDER_STRING };
      }
      // character, varchar, text, inet, cidr, macaddr, tsvector, ranges, geometry other than
      // point, composites, pg_lsn, ...: the text PostgreSQL prints.
      return { schema: str(), json: asString, unavailable: PLACEHOLDER_STRING };
  }
}

/** The Debezium typing of one column (a domain is typed as its base type, an array as a list of its element type). */
export function debeziumColumn(column: ColumnSchema, o: DebeziumTypeOptions, optional = true): DebeziumColumn {
  const type = column.baseType ?? column.type;
  if (type.endsWith('[]')) {
    const elementType = type.slice(0, -2);
    const element = scalar(elementType, { ...column, kind: undefined, enumLabels: undefined }, o);
    // box is the one built-in type whose array text separates elements with ';'.
    const delimiter = splitType(elementType).base === 'box' ? ';' : ',';
    const what = `array column ${JSON.stringify(column.name)}`;
    return {
      schema: { type: 'array', optional, items: { ...element.schema, optional: true } },
      json: (t) => {
        let items: (string | null)[];
        try {
          items = parseArrayText(t, delimiter);
        } catch (error) {
          throw new DebeziumValueError(`${what}: ${(error as Error).message}; Debezium's format carries one list per column (use format "json")`);
        }
        return '[' + items.map((v) => (v === null ? 'null' : element.json(v))).join(',') + ']';
      },
      unavailable: null,
    };
  }
  const c = scalar(type, column, o);
  return { schema: { ...c.schema, optional }, json: c.json, unavailable: c.unavailable };
}
