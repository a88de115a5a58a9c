import { describe, expect, it } from 'vitest';
import { UNCHANGED_TOAST } from '../pgoutput/messages';
import type { RelationSchema } from '../relation-schema';
import { AvroRegistryEncoder } from './avro-registry';
import { avroColumn, avroFieldNames, avroName } from './avro-types';

const orders: RelationSchema = {
  relationId: 16_400,
  database: 'shop-db',
  schema: 'public',
  table: 'orders',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'note text', type: 'text' },
    { name: 'nums', type: 'integer[]' },
  ],
  pkNames: ['id'],
  replicaIdentity: 'd',
};
const ctx = { commitLsn: 0xa2e1f30n, index: 3, xid: 7731, es: 1_732_170_000_123, ts: 1_732_170_000_150 };

describe('avroColumn', () => {
  it.each([
    ['smallint', '-32768', 'int', -32768],
    ['integer', '2147483647', 'int', 2147483647],
    ['bigint', '-9223372036854775808', 'long', -9223372036854775808n],
    ['real', '-Infinity', 'float', -Infinity],
    ['double precision', '0.1', 'double', 0.1],
    ['boolean', 't', 'boolean', true],
    ['numeric(5,2)', '-1.5', { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 2 }, Buffer.from([0xff, 0x6a])],
    ['numeric', '123.456789', 'string', '123.456789'],
    ['money', '-$1,234.56', 'string', '-1234.56'],
    ['bytea', '\\x00ff', 'bytes', Buffer.from([0, 255])],
    ['date', '1970-01-02', { type: 'int', logicalType: 'date' }, 1],
    ['date', 'infinity', { type: 'int', logicalType: 'date' }, 2147483647],
    ['time without time zone', '00:00:01.5', { type: 'long', logicalType: 'time-micros' }, 1_500_000n],
    ['timestamp without time zone', '1970-01-01 00:00:01', { type: 'long', logicalType: 'local-timestamp-micros' }, 1_000_000n],
    ['timestamp with time zone', '1970-01-01 01:00:00+01', { type: 'long', logicalType: 'timestamp-micros' }, 0n],
    ['uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', { type: 'string', logicalType: 'uuid' }, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['interval', '1 day 02:00:00', 'string', 'P0Y0M1DT2H0M0S'],
    ['jsonb', '{"a": 1}', 'string', '{"a": 1}'],
    ['text[]', '{"a b",NULL}', { type: 'array', items: ['null', 'string'] }, ['a b', null]],
  ] as const)('%s %s is Avro %j', (type, text, avro, value) => {
    const c = avroColumn({ name: 'c', type });
    expect(c.type).toEqual(avro);
    expect(c.value(text)).toEqual(value);
  });

  it('refuses a decimal with more digits after the point than its scale', () => {
    expect(() => avroColumn({ name: 'c', type: 'numeric(5,1)' }).value('1.25')).toThrow(/more than 1 decimals/);
  });
});

describe('Avro names', () => {
  it.each([
    ['orders', 'orders'],
    ['note text', 'note_text'],
    ['1st', '_1st'],
    ['été', '_t_'],
  ])('%s → %s', (name, avro) => expect(avroName(name)).toBe(avro));

  it('keeps field names unique after sanitizing', () => expect(avroFieldNames(['a b', 'a_b', 'a-b'])).toEqual(['a_b', 'a_b_2', 'a_b_3']));
});

describe('AvroRegistryEncoder', () => {
  const encoder = new AvroRegistryEncoder(orders);

  it('derives Debezium-named key and envelope schemas, the key not null, other columns null unions', () => {
    expect(encoder.keySchema).toEqual({ type: 'record', name: 'Key', namespace: 'shop_db.public.orders', fields: [{ name: 'id', type: 'long' }] });
    const value = encoder.valueSchema as { name: string; fields: { name: string; type: unknown }[] };
    expect(value.name).toBe('Envelope');
    expect(value.fields.map((f) => f.name)).toEqual(['before', 'after', 'source', 'op', 'ts_ms']);
    const row = (value.fields[0].type as [string, { fields: unknown[] }])[1];
    expect(row.fields).toEqual([
      { name: 'id', type: 'long' },
      { name: 'amount', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }], default: null },
      { name: 'note_text', type: ['null', 'string'], default: null },
      { name: 'nums', type: ['null', { type: 'array', items: ['null', 'int'] }], default: null },
    ]);
  });

  it('writes an update as before/after with source and op', () => {
    const [m] = encoder.encode({ ...ctx, kind: 'UPDATE', oldTuple: ['42', '9.99', 'x', null], newTuple: ['42', '10.50', UNCHANGED_TOAST, '{1}'] });
    expect(m.key).toEqual({ id: 42n });
    expect(m.value).toMatchObject({
      before: { id: 42n, note_text: 'x', nums: null },
      after: { id: 42n, amount: Buffer.from([0x04, 0x1a]), note_text: 'x', nums: [1] },
      source: { connector: 'postgresql', db: 'shop-db', schema: 'public', table: 'orders', txId: 7731n, lsn: 0xa2e1f30n, snapshot: 'false' },
      op: 'u',
    });
  });

  it('turns a key change into a delete of the old key and a create of the new one', () => {
    const ms = encoder.encode({ ...ctx, kind: 'UPDATE', oldTuple: ['1', null, 'a', null], newTuple: ['2', null, 'a', null] });
    expect(ms.map((m) => [m.key, m.value.op])).toEqual([
      [{ id: 1n }, 'd'],
      [{ id: 2n }, 'c'],
    ]);
  });

  it('sends a snapshot row as op r, a truncate as op t without key', () => {
    expect(encoder.encode({ ...ctx, kind: 'INSERT', newTuple: ['1', null, null, null], snapshot: true })[0].value.op).toBe('r');
    expect(encoder.encode({ ...ctx, kind: 'TRUNCATE' })[0]).toMatchObject({ key: null, value: { op: 't', before: null, after: null } });
  });

  it('has no key for a whole-row identity', () => {
    const full = new AvroRegistryEncoder({ ...orders, pkNames: ['id', 'amount', 'note text', 'nums'], keyIsRow: true, replicaIdentity: 'f' });
    expect(full.keySchema).toBeNull();
    expect(full.encode({ ...ctx, kind: 'DELETE', oldTuple: ['1', null, null, null] })[0].key).toBeNull();
  });

  it('names the table and column of a value it cannot carry', () => {
    expect(() => encoder.encode({ ...ctx, kind: 'INSERT', newTuple: ['1', 'NaN', null, null] })).toThrow(/public\.orders: .*amount/);
  });
});
