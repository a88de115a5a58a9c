import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../relation-schema';
import { debeziumColumn, type DebeziumTypeOptions } from './debezium-types';

const micros: DebeziumTypeOptions = { decimalHandling: 'precise', timeHandling: 'micros' };
const iso: DebeziumTypeOptions = { decimalHandling: 'string', timeHandling: 'iso' };

const col = (type: string, extra: Partial<ColumnSchema> = {}): ColumnSchema => ({ name: 'c', type, ...extra });

/**
 * The DRS type list (test/data-path/type-fidelity.e2e-spec.ts) as Debezium's PostgreSQL
 * connector types it: [column, output text pgoutput sends, schema (type/name/parameters), JSON
 * value with precise decimals and micros, JSON value with string decimals and ISO times].
 */
const CASES: [ColumnSchema, string, Record<string, unknown>, string, string][] = [
  [col('smallint'), '-32768', { type: 'int16' }, '-32768', '-32768'],
  [col('integer'), '2147483647', { type: 'int32' }, '2147483647', '2147483647'],
  [col('bigint'), '-9223372036854775808', { type: 'int64' }, '-9223372036854775808', '-9223372036854775808'],
  [col('numeric(12,2)'), '-9999999999.99', { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2', 'connect.decimal.precision': '12' } }, '"/xcrWvAB"', '"-9999999999.99"'],
  [col('numeric(12,2)'), '10.50', { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal' }, '"BBo="', '"10.50"'],
  [col('numeric'), '-0.000000000000000000001', { type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' }, '{"scale":21,"value":"/w=="}', '"-0.000000000000000000001"'],
  [col('numeric'), '123456789012345678901234567890.123456789', { type: 'struct', name: 'io.debezium.data.VariableScaleDecimal' }, '{"scale":9,"value":"XODppWAV/sWq36MorjmBFQ=="}', '"123456789012345678901234567890.123456789"'],
  [col('real'), 'NaN', { type: 'float' }, '"NaN"', '"NaN"'],
  [col('real'), '3.4028235e+38', { type: 'float' }, '3.4028235e+38', '3.4028235e+38'],
  [col('double precision'), '-Infinity', { type: 'double' }, '"-Infinity"', '"-Infinity"'],
  [col('double precision'), '1e-300', { type: 'double' }, '1e-300', '1e-300'],
  [col('money'), '-$92,233,720,368,547,758.08', { type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } }, '"gAAAAAAAAAA="', '"-92233720368547758.08"'],
  [col('character(5)'), ' b   ', { type: 'string' }, '" b   "', '" b   "'],
  [col('character varying(10)'), "with 'q", { type: 'string' }, '"with \'q"', '"with \'q"'],
  [col('text'), 'line1\nline2 "dq"', { type: 'string' }, '"line1\\nline2 \\"dq\\""', '"line1\\nline2 \\"dq\\""'],
  [col('bytea'), '\\x00ff10', { type: 'bytes' }, '"AP8Q"', '"AP8Q"'],
  [col('bytea'), '\\x', { type: 'bytes' }, '""', '""'],
  [col('date'), '2024-02-29', { type: 'int32', name: 'io.debezium.time.Date' }, '19782', '"2024-02-29"'],
  [col('date'), '4713-01-01 BC', { type: 'int32', name: 'io.debezium.time.Date' }, '-2440550', '"-4712-01-01"'],
  [col('date'), 'infinity', { type: 'int32', name: 'io.debezium.time.Date' }, '2147483647', '"infinity"'],
  [col('time without time zone'), '23:59:59.999999', { type: 'int64', name: 'io.debezium.time.MicroTime' }, '86399999999', '"23:59:59.999999"'],
  [col('time without time zone'), '24:00:00', { type: 'int64', name: 'io.debezium.time.MicroTime' }, '86400000000', '"24:00:00"'],
  [col('time with time zone'), '12:34:56+05:30', { type: 'string', name: 'io.debezium.time.ZonedTime' }, '"07:04:56Z"', '"07:04:56Z"'],
  [col('time with time zone'), '00:00:00-12', { type: 'string', name: 'io.debezium.time.ZonedTime' }, '"12:00:00Z"', '"12:00:00Z"'],
  [col('timestamp without time zone'), '2024-03-10 02:30:00.5', { type: 'int64', name: 'io.debezium.time.MicroTimestamp' }, '1710037800500000', '"2024-03-10T02:30:00.5"'],
  [col('timestamp without time zone'), '0001-01-01 00:00:00 BC', { type: 'int64', name: 'io.debezium.time.MicroTimestamp' }, '-62167219200000000', '"0000-01-01T00:00:00"'],
  [col('timestamp without time zone'), '294276-12-31 23:59:59.999999', { type: 'int64' }, '9224318015999999999', '"+294276-12-31T23:59:59.999999"'],
  [col('timestamp without time zone'), '-infinity', { type: 'int64' }, '-9223372036854775808', '"-infinity"'],
  [col('timestamp with time zone'), '2024-03-10 02:30:00-08', { type: 'string', name: 'io.debezium.time.ZonedTimestamp' }, '"2024-03-10T10:30:00Z"', '"2024-03-10T10:30:00Z"'],
  [col('timestamp with time zone'), '1850-01-01 00:00:00+00:53:28', { type: 'string', name: 'io.debezium.time.ZonedTimestamp' }, '"1849-12-31T23:06:32Z"', '"1849-12-31T23:06:32Z"'],
  [col('timestamp(3) with time zone'), 'infinity', { type: 'string', name: 'io.debezium.time.ZonedTimestamp' }, '"infinity"', '"infinity"'],
  [col('interval'), '1 year 2 mons 3 days 04:05:06.789', { type: 'int64', name: 'io.debezium.time.MicroDuration' }, '37091106789000', '"P1Y2M3DT4H5M6.789S"'],
  [col('interval'), '-1 days +02:00:00', { type: 'int64', name: 'io.debezium.time.MicroDuration' }, '-79200000000', '"P0Y0M-1DT2H0M0S"'],
  [col('boolean'), 't', { type: 'boolean' }, 'true', 'true'],
  [col('shop.flag_x', { baseType: 'boolean' }), 'f', { type: 'boolean' }, 'false', 'false'],
  [col('shop.mood_x', { kind: 'enum', enumLabels: ['a b', 'c"d'] }), 'c"d', { type: 'string', name: 'io.debezium.data.Enum', parameters: { allowed: 'a b,c"d' } }, '"c\\"d"', '"c\\"d"'],
  [col('point'), '(1.5,-2)', { type: 'struct', name: 'io.debezium.data.geometry.Point' }, '{"x":1.5,"y":-2,"wkb":"AQEAAAAAAAAAAAD4PwAAAAAAAADA","srid":null}', '{"x":1.5,"y":-2,"wkb":"AQEAAAAAAAAAAAD4PwAAAAAAAADA","srid":null}'],
  [col('circle'), '<(0,0),1>', { type: 'string' }, '"<(0,0),1>"', '"<(0,0),1>"'],
  [col('inet'), '192.168.1.1/24', { type: 'string' }, '"192.168.1.1/24"', '"192.168.1.1/24"'],
  [col('macaddr'), '08:00:2b:01:02:03', { type: 'string' }, '"08:00:2b:01:02:03"', '"08:00:2b:01:02:03"'],
  [col('bit(4)'), '1010', { type: 'bytes', name: 'io.debezium.data.Bits', parameters: { length: '4' } }, '"Cg=="', '"Cg=="'],
  [col('bit(1)'), '1', { type: 'boolean' }, 'true', 'true'],
  [col('bit varying'), '101010101', { type: 'bytes', name: 'io.debezium.data.Bits' }, '"VQE="', '"VQE="'],
  [col('tsvector'), "'a' 'cat' 'fat'", { type: 'string' }, '"\'a\' \'cat\' \'fat\'"', '"\'a\' \'cat\' \'fat\'"'],
  [col('uuid'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', { type: 'string', name: 'io.debezium.data.Uuid' }, '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"', '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"'],
  [col('xml'), '<a b="1">x</a>', { type: 'string', name: 'io.debezium.data.Xml' }, '"<a b=\\"1\\">x</a>"', '"<a b=\\"1\\">x</a>"'],
  [col('json'), '{"b": 1}', { type: 'string', name: 'io.debezium.data.Json' }, '"{\\"b\\": 1}"', '"{\\"b\\": 1}"'],
  [col('jsonb'), 'null', { type: 'string', name: 'io.debezium.data.Json' }, '"null"', '"null"'],
  [col('integer[]'), '{1,2,NULL}', { type: 'array', items: { type: 'int32', optional: true } }, '[1,2,null]', '[1,2,null]'],
  [col('text[]'), '{"a b","c\\"d",NULL,"NULL"}', { type: 'array', items: { type: 'string', optional: true } }, '["a b","c\\"d",null,"NULL"]', '["a b","c\\"d",null,"NULL"]'],
  [col('timestamp with time zone[]'), '{"2024-01-01 00:00:00+00",infinity}', { type: 'array' }, '["2024-01-01T00:00:00Z","infinity"]', '["2024-01-01T00:00:00Z","infinity"]'],
  [col('shop.pair_x'), '(1,"a ""b""")', { type: 'string' }, '"(1,\\"a \\"\\"b\\"\\"\\")"', '"(1,\\"a \\"\\"b\\"\\"\\")"'],
  [col('int4range'), '[1,10)', { type: 'string' }, '"[1,10)"', '"[1,10)"'],
  [col('int4multirange'), '{[1,3),[5,7)}', { type: 'string' }, '"{[1,3),[5,7)}"', '"{[1,3),[5,7)}"'],
  [col('pg_lsn'), '16/B374D848', { type: 'string' }, '"16/B374D848"', '"16/B374D848"'],
];

describe('Debezium typing of the DRS type list', () => {
  it.each(CASES)('%o %j', (column, text, schema, preciseMicros, stringIso) => {
    const a = debeziumColumn(column, micros);
    expect(a.schema).toMatchObject({ ...schema, optional: true });
    expect(a.json(text)).toBe(preciseMicros);
    expect(JSON.parse(a.json(text))).toBeDefined();
    const b = debeziumColumn(column, iso);
    expect(b.json(text)).toBe(stringIso);
  });

  it('types a key column as not optional', () => {
    expect(debeziumColumn(col('integer'), micros, false).schema).toEqual({ type: 'int32', optional: false });
  });

  it.each([
    ['numeric', 'NaN'],
    ['numeric(10,2)', 'Infinity'],
  ])('refuses %s %s with precise decimals, naming the way out', (type, text) => {
    expect(() => debeziumColumn(col(type), micros).json(text)).toThrow(/decimalHandling "precise" cannot carry it \(choose "string"\)/);
    expect(debeziumColumn(col(type), iso).json(text)).toBe(JSON.stringify(text));
  });

  it('refuses an interval beyond int64 microseconds in micros, and writes it in iso', () => {
    expect(() => debeziumColumn(col('interval'), micros).json('178000000 years')).toThrow(/exceeds int64 microseconds; timeHandling "iso" can carry it/);
    expect(debeziumColumn(col('interval'), iso).json('178000000 years')).toBe('"P178000000Y0M0DT0H0M0S"');
  });

  it.each([['$1,234.56', '1234.56'], ['-$0.10', '-0.10'], ['($5.00)', '-5.00'], ['€12', '12']])('reads money %s as %s', (text, decimal) => {
    expect(debeziumColumn(col('money'), iso).json(text)).toBe(JSON.stringify(decimal));
  });

  it.each(['1.234,56 €', '12,34 €', '1 234,56 €'])('refuses money %s in a layout it would have to guess', (text) => {
    expect(() => debeziumColumn(col('money'), iso).json(text)).toThrow(/not in a '\.'-decimal layout/);
  });

  it('splits box[] at its ";" delimiter', () => {
    expect(debeziumColumn(col('box[]'), iso).json('{(1,1),(0,0);(3,3),(2,2)}')).toBe('["(1,1),(0,0)","(3,3),(2,2)"]');
  });

  it('refuses a multi-dimensional array value rather than flattening it', () => {
    expect(() => debeziumColumn(col('integer[]'), micros).json('{{1,2},{3,4}}')).toThrow(/multi-dimensional array.*use format "json"/);
  });

  it('has the unavailable-value placeholder for strings and bytes only', () => {
    expect(debeziumColumn(col('text'), micros).unavailable).toBe('"__debezium_unavailable_value"');
    expect(debeziumColumn(col('bytea'), micros).unavailable).toBe('"X19kZWJleml1bV91bmF2YWlsYWJsZV92YWx1ZQ=="');
    expect(debeziumColumn(col('integer[]'), micros).unavailable).toBeNull();
  });
});
