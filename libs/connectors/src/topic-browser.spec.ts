import { describe, expect, it } from 'vitest';
import { CanalJsonEncoder, DebeziumJsonEncoder, EnvelopeEncoder, type RelationSchema, type RowChange } from '@walbridge/domain';
import { envelopeFacts } from './topic-browser';

const schema: RelationSchema = {
  relationId: 1,
  database: 'demo',
  schema: 'shop',
  table: 'orders',
  columns: [{ name: 'id', type: 'bigint' }],
  pkNames: ['id'],
  replicaIdentity: 'd',
};
const change = (kind: RowChange['kind']) => ({ kind, newTuple: ['1'], keyTuple: ['1'], commitLsn: 16n, index: 0, xid: 1, es: 1, ts: 2 }) satisfies RowChange;
const debezium = (includeSchema: boolean) => new DebeziumJsonEncoder(schema, { includeSchema, tombstones: false, decimalHandling: 'precise', timeHandling: 'micros' });

describe('envelopeFacts: the message browser finds table and operation in every JSON format the worker writes', () => {
  it.each([
    ['json', (k: RowChange['kind']) => new EnvelopeEncoder(schema).encode(change(k))],
    ['debezium-json', (k: RowChange['kind']) => debezium(false).encode(change(k))[0].value!],
    ['debezium-json with schema', (k: RowChange['kind']) => debezium(true).encode(change(k))[0].value!],
    ['canal-json', (k: RowChange['kind']) => new CanalJsonEncoder(schema).encode(change(k))],
  ])('%s', (_, encode) => {
    for (const kind of ['INSERT', 'UPDATE', 'DELETE'] as const) {
      expect(envelopeFacts(JSON.parse(encode(kind)))).toEqual({ table: 'shop.orders', operation: kind });
    }
  });

  it('finds nothing in a tombstone', () => {
    expect(envelopeFacts(undefined)).toEqual({ table: null, operation: null });
  });
});
