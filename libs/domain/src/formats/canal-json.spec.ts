import { describe, expect, it } from 'vitest';
import type { RowChange } from '../envelope';
import { UNCHANGED_TOAST } from '../pgoutput/messages';
import type { RelationSchema } from '../relation-schema';
import { CanalJsonEncoder, sqlTypeOf } from './canal-json';

const orders: RelationSchema = {
  relationId: 16_400,
  database: 'shop',
  schema: 'public',
  table: 'orders',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'paid', type: 'boolean', textCast: 'boolean' },
    { name: 'note', type: 'text' },
  ],
  pkNames: ['id'],
  replicaIdentity: 'f',
};

const ctx = { commitLsn: 0xa2e1f30n, index: 3, xid: 7731, es: 1_732_170_000_123, ts: 1_732_170_000_150 };
const encode = (change: Partial<RowChange> & Pick<RowChange, 'kind'>, schema = orders) =>
  JSON.parse(new CanalJsonEncoder(schema).encode({ ...ctx, ...change })) as Record<string, unknown>;

describe('CanalJsonEncoder', () => {
  it('writes exactly Canal’s flat message for an UPDATE: old holds only the changed columns', () => {
    const json = new CanalJsonEncoder(orders).encode({ ...ctx, kind: 'UPDATE', oldTuple: ['42', '9.99', 'f', 'x'], newTuple: ['42', '10.50', 't', 'x'] });
    expect(json).toBe(
      '{"data":[{"id":"42","amount":"10.50","paid":"true","note":"x"}],"database":"shop","schema":"public","es":1732170000123,"id":170794800,' +
        '"isDdl":false,"pgType":{"id":"bigint","amount":"numeric(12,2)","paid":"boolean","note":"text"},' +
        '"old":[{"amount":"9.99","paid":"false"}],"pkNames":["id"],"sql":"","sqlType":{"id":-5,"amount":2,"paid":-7,"note":12},' +
        '"table":"orders","ts":1732170000150,"type":"UPDATE"}',
    );
  });

  it('has old null for INSERT and DELETE, and the deleted row in data', () => {
    expect(encode({ kind: 'INSERT', newTuple: ['1', null, null, 'n'] })).toMatchObject({ type: 'INSERT', data: [{ id: '1', amount: null, note: 'n' }], old: null });
    expect(encode({ kind: 'DELETE', oldTuple: ['1', '2.00', 't', 'n'] })).toMatchObject({ type: 'DELETE', data: [{ id: '1', amount: '2.00', paid: 'true' }], old: null });
  });

  it('sends the key columns of a key-only image and, without an old image, an empty old', () => {
    const keyed = { ...orders, replicaIdentity: 'd' as const };
    expect(encode({ kind: 'DELETE', keyTuple: ['1', null, null, null] }, keyed)).toMatchObject({ data: [{ id: '1' }] });
    expect((encode({ kind: 'DELETE', keyTuple: ['1', null, null, null] }, keyed).data as object[])[0]).toEqual({ id: '1' });
    expect(encode({ kind: 'UPDATE', keyTuple: ['1', null, null, null], newTuple: ['2', null, null, null] }, keyed)).toMatchObject({ old: [{ id: '1' }] });
    expect(encode({ kind: 'UPDATE', newTuple: ['2', null, null, null] }, keyed)).toMatchObject({ old: [{}] });
  });

  it('names an unchanged TOAST value it could not send', () => {
    const out = encode({ kind: 'UPDATE', newTuple: ['1', '1.00', 't', UNCHANGED_TOAST] }, { ...orders, replicaIdentity: 'd' });
    expect(out).toMatchObject({ data: [{ id: '1', amount: '1.00' }], unchangedToast: ['note'] });
    expect((out.data as object[])[0]).not.toHaveProperty('note');
  });

  it.each([
    ['smallint', 5],
    ['integer', 4],
    ['bigint', -5],
    ['numeric(12,2)', 2],
    ['real', 7],
    ['double precision', 8],
    ['character(5)', 1],
    ['character varying(10)', 12],
    ['text', 12],
    ['bytea', -2],
    ['date', 91],
    ['time(3) without time zone', 92],
    ['timestamp with time zone', 93],
    ['boolean', -7],
    ['xml', 2009],
    ['integer[]', 2003],
    ['uuid', 1111],
    ['jsonb', 1111],
    ['int4range', 1111],
  ])('reports %s as java.sql.Types %i', (type, code) => {
    expect(sqlTypeOf(type)).toBe(code);
  });
});

describe('CanalJsonEncoder TRUNCATE', () => {
  it('is Canal’s DDL message: isDdl, the statement, no rows', () => {
    expect(JSON.parse(new CanalJsonEncoder(orders).encode({ ...ctx, kind: 'TRUNCATE' }))).toEqual({
      data: null,
      database: 'shop',
      schema: 'public',
      es: ctx.es,
      id: 170794800,
      isDdl: true,
      pgType: null,
      old: null,
      pkNames: null,
      sql: 'TRUNCATE TABLE "public"."orders"',
      sqlType: null,
      table: 'orders',
      ts: ctx.ts,
      type: 'TRUNCATE',
    });
  });
});
