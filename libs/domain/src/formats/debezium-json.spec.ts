import { describe, expect, it } from 'vitest';
import { UNCHANGED_TOAST } from '../pgoutput/messages';
import type { RelationSchema } from '../relation-schema';
import { debeziumOp, DebeziumJsonEncoder, type DebeziumChange, type DebeziumOptions } from './debezium-json';

const orders: RelationSchema = {
  relationId: 16_400,
  database: 'shop',
  schema: 'public',
  table: 'orders',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'note', type: 'text' },
    { name: 'nums', type: 'integer[]' },
  ],
  pkNames: ['id'],
  replicaIdentity: 'd',
};

const plain: DebeziumOptions = { includeSchema: false, tombstones: false, decimalHandling: 'string', timeHandling: 'micros' };
const ctx = { commitLsn: 0xa2e1f30n, index: 3, xid: 7731, es: 1_732_170_000_123, ts: 1_732_170_000_150 };

function encode(change: Partial<DebeziumChange> & Pick<DebeziumChange, 'kind'>, options: Partial<DebeziumOptions> = {}, schema = orders) {
  return new DebeziumJsonEncoder(schema, { ...plain, ...options })
    .encode({ ...ctx, ...change })
    .map((m) => ({ key: m.key === null ? null : JSON.parse(m.key), value: m.value === null ? null : JSON.parse(m.value) }));
}

describe('DebeziumJsonEncoder', () => {
  it('writes exactly Debezium’s change event value for an UPDATE with the full old row', () => {
    const [m] = new DebeziumJsonEncoder(orders, plain).encode({ ...ctx, kind: 'UPDATE', oldTuple: ['42', '9.99', 'x', '{1}'], newTuple: ['42', '10.50', 'x', null] });
    expect(m.key).toBe('{"id":42}');
    expect(m.value).toBe(
      '{"before":{"id":42,"amount":"9.99","note":"x","nums":[1]},"after":{"id":42,"amount":"10.50","note":"x","nums":null},' +
        '"source":{"version":"2.7.0.Final-walbridge","connector":"postgresql","name":"shop","ts_ms":1732170000123,"snapshot":"false",' +
        '"db":"shop","sequence":null,"schema":"public","table":"orders","txId":7731,"lsn":170794800,"xmin":null},"op":"u","ts_ms":1732170000150}',
    );
  });

  it.each([
    ['INSERT', undefined, 'c'],
    ['INSERT', true, 'r'],
    ['INSERT', 'last', 'r'],
    ['UPDATE', undefined, 'u'],
    ['DELETE', undefined, 'd'],
    ['TRUNCATE', undefined, 't'],
  ] as const)('maps %s (snapshot %s) to op %s', (kind, snapshot, op) => {
    expect(debeziumOp(kind, snapshot)).toBe(op);
  });

  it('marks snapshot rows as op r with source.snapshot, and a TRUNCATE as op t without key or rows', () => {
    expect(encode({ kind: 'INSERT', newTuple: ['1', '1.00', null, null], snapshot: 'last' })[0].value).toMatchObject({ op: 'r', source: { snapshot: 'last' } });
    expect(encode({ kind: 'TRUNCATE' })).toEqual([{ key: null, value: expect.objectContaining({ before: null, after: null, op: 't' }) }]);
  });

  it('has before null for an UPDATE without old image (REPLICA IDENTITY DEFAULT, key unchanged), as Debezium does', () => {
    expect(encode({ kind: 'UPDATE', newTuple: ['42', '1.00', 'n', '{}'] })[0].value).toMatchObject({ before: null, after: { id: 42, nums: [] }, op: 'u' });
  });

  it('turns a key change into a delete of the old key, its tombstone and a create of the new one', () => {
    const out = encode({ kind: 'UPDATE', keyTuple: ['1', null, null, null], newTuple: ['2', '1.00', 'n', null] }, { tombstones: true });
    expect(out.map((m) => [m.key, m.value?.op ?? null])).toEqual([
      [{ id: 1 }, 'd'],
      [{ id: 1 }, null],
      [{ id: 2 }, 'c'],
    ]);
    expect(out[0].value).toMatchObject({ before: { id: 1, amount: null, note: null }, after: null });
    expect(out[2].value).toMatchObject({ before: null, after: { id: 2, note: 'n' } });
    // Without tombstones: delete and create only.
    expect(encode({ kind: 'UPDATE', keyTuple: ['1', null, null, null], newTuple: ['2', '1.00', 'n', null] }).map((m) => m.value?.op)).toEqual(['d', 'c']);
  });

  it('follows a delete with a tombstone only when asked, and never for a table without key', () => {
    expect(encode({ kind: 'DELETE', keyTuple: ['7', null, null, null] }).map((m) => m.value === null)).toEqual([false]);
    expect(encode({ kind: 'DELETE', keyTuple: ['7', null, null, null] }, { tombstones: true })).toEqual([
      { key: { id: 7 }, value: expect.objectContaining({ op: 'd', before: { id: 7, amount: null, note: null, nums: null }, after: null }) },
      { key: { id: 7 }, value: null },
    ]);
    const nokey = { ...orders, pkNames: [], replicaIdentity: 'f' as const };
    expect(encode({ kind: 'DELETE', oldTuple: ['7', '1.00', null, null] }, { tombstones: true }, nokey)).toEqual([{ key: null, value: expect.objectContaining({ op: 'd' }) }]);
  });

  it('wraps key and value as {schema, payload} with Kafka Connect types and Debezium names', () => {
    const [m] = encode({ kind: 'INSERT', newTuple: ['1', '2.50', null, '{3}'] }, { includeSchema: true, decimalHandling: 'precise' });
    expect(m.key).toEqual({
      schema: { type: 'struct', optional: false, name: 'shop.public.orders.Key', fields: [{ type: 'int64', optional: false, field: 'id' }] },
      payload: { id: 1 },
    });
    const value = m.value as { schema: { name: string; fields: { field: string; fields?: unknown[] }[] }; payload: Record<string, unknown> };
    expect(value.schema.name).toBe('shop.public.orders.Envelope');
    expect(value.schema.fields.map((f) => f.field)).toEqual(['before', 'after', 'source', 'op', 'ts_ms']);
    expect(value.schema.fields[1].fields).toEqual([
      { type: 'int64', optional: false, field: 'id' },
      { type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '12' }, field: 'amount' },
      { type: 'string', optional: true, field: 'note' },
      { type: 'array', optional: true, items: { type: 'int32', optional: true }, field: 'nums' },
    ]);
    expect(value.payload).toMatchObject({ before: null, after: { id: 1, amount: 'APo=', note: null, nums: [3] }, op: 'c' });
  });

  it('takes an unchanged TOAST value from the old row, else writes Debezium’s placeholder, and refuses types that cannot carry it', () => {
    const full = encode({ kind: 'UPDATE', oldTuple: ['1', '1.00', 'big', null], newTuple: ['1', '2.00', UNCHANGED_TOAST, null] })[0].value;
    expect(full.after.note).toBe('big');
    const def = encode({ kind: 'UPDATE', newTuple: ['1', '2.00', UNCHANGED_TOAST, null] })[0].value;
    expect(def.after.note).toBe('__debezium_unavailable_value');
    expect(() => encode({ kind: 'UPDATE', newTuple: ['1', '2.00', null, UNCHANGED_TOAST] })).toThrow(/public\.orders: column "nums" .*set REPLICA IDENTITY FULL/);
  });

  it('sends only the projected columns, keys always', () => {
    const out = encode({ kind: 'INSERT', newTuple: ['1', '2.50', 'n', null] }, { columns: [0, 2] });
    expect(out[0].value.after).toEqual({ id: 1, note: 'n' });
  });

  it('refuses a stale row with the reason', () => {
    expect(() => encode({ kind: 'INSERT', newTuple: ['1'] })).toThrow(/has 1 values but the relation schema has 4 columns/);
  });
});
