import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnProjection } from './column-projection';
import { EnvelopeEncodeError, EnvelopeEncoder, messageKey, type RowChange } from './envelope';
import { UNCHANGED_TOAST } from './pgoutput/messages';
import type { RelationSchema } from './relation-schema';

const orders: RelationSchema = {
  relationId: 16_400,
  database: 'shop',
  schema: 'public',
  table: 'orders',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'note', type: 'text' },
  ],
  pkNames: ['id'],
  replicaIdentity: 'd',
};

const ctx = { commitLsn: 0xa2e1f30n, index: 3, xid: 7731, es: 1_732_170_000_123, ts: 1_732_170_000_150 };

function encode(schema: RelationSchema, change: Partial<RowChange> & Pick<RowChange, 'kind'>): Record<string, unknown> {
  const json = new EnvelopeEncoder(schema).encode({ ...ctx, ...change });
  return JSON.parse(json) as Record<string, unknown>;
}

describe('EnvelopeEncoder', () => {
  it('produces exactly the documented UPDATE envelope', () => {
    const json = new EnvelopeEncoder(orders).encode({
      ...ctx,
      kind: 'UPDATE',
      oldTuple: ['42', '9.99', 'x'],
      newTuple: ['42', '10.50', 'x'],
    });
    expect(json).toBe(
      '{"id":"000000000A2E1F30-00000003","database":"shop","schema":"public","table":"orders",' +
        '"type":"UPDATE","es":1732170000123,"ts":1732170000150,"xid":7731,"lsn":"0/A2E1F30",' +
        '"isDdl":false,"sql":"","pkNames":["id"],' +
        '"columnType":{"id":"bigint","amount":"numeric(12,2)","note":"text"},' +
        '"data":[{"id":"42","amount":"10.50","note":"x"}],' +
        '"old":[{"id":"42","amount":"9.99","note":"x"}]}',
    );
  });

  it('encodes a snapshot row as an INSERT with its own id and "snapshot": true last; stream changes do not carry the field', () => {
    const json = new EnvelopeEncoder(orders).encode({ ...ctx, kind: 'INSERT', newTuple: ['1', '2.00', null], snapshot: { id: 'snapshot-x-00' } });
    const out = JSON.parse(json) as Record<string, unknown>;
    expect(out).toMatchObject({ id: 'snapshot-x-00', type: 'INSERT', snapshot: true, old: null });
    expect(json.endsWith(',"snapshot":true}')).toBe(true);
    expect(encode(orders, { kind: 'INSERT', newTuple: ['1', '2.00', null] })).not.toHaveProperty('snapshot');
    const record = new EnvelopeEncoder(orders).encodeRecord({ ...ctx, kind: 'INSERT', newTuple: ['1', '2.00', null], snapshot: { id: 'snapshot-x-00' } });
    expect(record).toMatchObject({ id: 'snapshot-x-00', snapshot: true });
  });

  it('encodes INSERT with old null and keeps NULLs and exact text', () => {
    const out = encode(orders, { kind: 'INSERT', newTuple: ['9223372036854775807', '12345678901.99', null] });
    expect(Object.keys(out)).toEqual([
      'id', 'database', 'schema', 'table', 'type', 'es', 'ts', 'xid', 'lsn', 'isDdl', 'sql', 'pkNames', 'columnType', 'data', 'old',
    ]);
    expect(out).toMatchObject({
      id: '000000000A2E1F30-00000003',
      type: 'INSERT',
      data: [{ id: '9223372036854775807', amount: '12345678901.99', note: null }],
      old: null,
    });
  });

  it('prints boolean, character(n) and inet values as col::text does, in data, old, the key and the Avro record alike', () => {
    const hosts: RelationSchema = {
      relationId: 16_401,
      database: 'shop',
      schema: 'public',
      table: 'hosts',
      columns: [
        { name: 'code', type: 'character(4)', textCast: 'bpchar' },
        { name: 'addr', type: 'inet', textCast: 'inet' },
        { name: 'up', type: 'boolean', textCast: 'boolean' },
        { name: 'flags', type: 'boolean[]' },
      ],
      pkNames: ['code', 'addr'],
      replicaIdentity: 'f',
    };
    const encoder = new EnvelopeEncoder(hosts);
    const change: RowChange = { ...ctx, kind: 'UPDATE', oldTuple: ['ab  ', '::1', 'f', '{t,f}'], newTuple: ['ab  ', '10.0.0.1', 't', '{t}'] };
    const json = JSON.parse(encoder.encode(change)) as Record<string, unknown>;
    expect(json.data).toEqual([{ code: 'ab', addr: '10.0.0.1/32', up: 'true', flags: '{t}' }]);
    expect(json.old).toEqual([{ code: 'ab', addr: '::1/128', up: 'false', flags: '{t,f}' }]);
    const record = encoder.encodeRecord(change);
    expect({ data: record.data, old: record.old }).toEqual({ data: json.data, old: json.old });
    expect(encoder.messageKey(change.newTuple!)).toBe('["ab","10.0.0.1/32"]');
    expect(messageKey(hosts, change.newTuple!)).toBe('["ab","10.0.0.1/32"]');
  });

  it('uses the commit LSN for id and lsn, also above 4 GB', () => {
    const out = encode(orders, { kind: 'INSERT', newTuple: ['1', '1', '1'], commitLsn: 0x1b_0000_00c8n, index: 0x1f });
    expect(out).toMatchObject({ id: '0000001B000000C8-0000001F', lsn: '1B/C8' });
  });

  it('encodes UPDATE with a full old image including NULLs', () => {
    const out = encode({ ...orders, replicaIdentity: 'f' }, {
      kind: 'UPDATE',
      oldTuple: ['42', null, 'x'],
      newTuple: ['42', '1.00', null],
    });
    expect(out).toMatchObject({
      type: 'UPDATE',
      data: [{ id: '42', amount: '1.00', note: null }],
      old: [{ id: '42', amount: null, note: 'x' }],
    });
    expect(out).not.toHaveProperty('unchangedToast');
  });

  it('encodes UPDATE with a key-only old image as only the key columns', () => {
    const out = encode(orders, { kind: 'UPDATE', keyTuple: ['41', null, null], newTuple: ['42', '1.00', null] });
    expect(out).toMatchObject({ data: [{ id: '42', amount: '1.00', note: null }], old: [{ id: '41' }] });
  });

  it('encodes UPDATE without an old image: old holds the unchanged identity key', () => {
    expect(encode(orders, { kind: 'UPDATE', newTuple: ['42', '1.00', 'n'] })).toMatchObject({ old: [{ id: '42' }] });
    const byIndex: RelationSchema = { ...orders, pkNames: [], replicaIdentity: 'i', identityKeyNames: ['note'] };
    expect(encode(byIndex, { kind: 'UPDATE', newTuple: ['42', '1.00', 'n'] })).toMatchObject({ old: [{ note: 'n' }] });
    const unknownKey: RelationSchema = { ...orders, replicaIdentity: 'i' };
    expect(encode(unknownKey, { kind: 'UPDATE', newTuple: ['42', '1.00', 'n'] })).toMatchObject({ old: null });
  });

  it('encodes DELETE: data and old both hold the image the source sent', () => {
    const full = encode({ ...orders, replicaIdentity: 'f' }, { kind: 'DELETE', oldTuple: ['42', '9.99', null] });
    expect(full).toMatchObject({ type: 'DELETE', data: [{ id: '42', amount: '9.99', note: null }], old: [{ id: '42', amount: '9.99', note: null }] });
    const key = encode(orders, { kind: 'DELETE', keyTuple: ['42', null, null] });
    expect(key).toMatchObject({ data: [{ id: '42' }], old: [{ id: '42' }] });
  });

  describe('unchanged TOAST', () => {
    const docs: RelationSchema = {
      ...orders,
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'body', type: 'text' },
        { name: 'meta', type: 'jsonb' },
      ],
    };

    it('takes the value from a full old image', () => {
      const out = encode({ ...docs, replicaIdentity: 'f' }, {
        kind: 'UPDATE',
        oldTuple: ['1', 'long body', '{"a": 1}'],
        newTuple: ['1', UNCHANGED_TOAST, '{"a": 2}'],
      });
      expect(out).toMatchObject({ data: [{ id: '1', body: 'long body', meta: '{"a": 2}' }] });
      expect(out).not.toHaveProperty('unchangedToast');
    });

    it('omits the column and lists it last when the old image lacks the value', () => {
      const json = new EnvelopeEncoder(docs).encode({
        ...ctx,
        kind: 'UPDATE',
        keyTuple: ['0', null, null],
        newTuple: ['1', UNCHANGED_TOAST, UNCHANGED_TOAST],
      });
      const out = JSON.parse(json) as Record<string, unknown>;
      expect(out.data).toEqual([{ id: '1' }]);
      expect(out.old).toEqual([{ id: '0' }]);
      expect(out.unchangedToast).toEqual(['body', 'meta']);
      expect(Object.keys(out).at(-1)).toBe('unchangedToast');
      expect(json.endsWith(',"unchangedToast":["body","meta"]}')).toBe(true);
    });

    it('lists the column when no old image was sent, and resets between changes', () => {
      const encoder = new EnvelopeEncoder(docs);
      const first = JSON.parse(encoder.encode({ ...ctx, kind: 'UPDATE', newTuple: [UNCHANGED_TOAST, 'b', UNCHANGED_TOAST] }));
      expect(first).toMatchObject({ data: [{ body: 'b' }], old: [{}], unchangedToast: ['id', 'meta'] });
      const second = JSON.parse(encoder.encode({ ...ctx, kind: 'UPDATE', newTuple: ['1', 'b', 'c'] }));
      expect(second).not.toHaveProperty('unchangedToast');
    });

    it('leaves unknown values out of a full old image without listing them', () => {
      const out = encode({ ...docs, replicaIdentity: 'f' }, {
        kind: 'UPDATE',
        oldTuple: ['1', UNCHANGED_TOAST, null],
        newTuple: ['1', 'x', null],
      });
      expect(out).toMatchObject({ data: [{ id: '1', body: 'x', meta: null }], old: [{ id: '1', meta: null }] });
      expect(out).not.toHaveProperty('unchangedToast');
    });
  });

  it('escapes names and values that need it', () => {
    const weird: RelationSchema = {
      relationId: 1,
      database: 'db "prod"',
      schema: 'Sales EU',
      table: 'tab\\le\n注文',
      columns: [
        { name: 'Key "A"', type: 'character varying(10)' },
        { name: 'spaced name', type: 'text' },
        { name: 'ünï\u0001', type: '"MyEnum"' },
      ],
      pkNames: ['Key "A"'],
      replicaIdentity: 'd',
    };
    const value = 'quote " backslash \\ newline \n tab \t ctl \u0000 emoji 😀 lone \ud800';
    const out = encode(weird, { kind: 'INSERT', newTuple: ['k"1', value, 'ü'] });
    expect(out).toMatchObject({
      database: 'db "prod"',
      schema: 'Sales EU',
      table: 'tab\\le\n注文',
      pkNames: ['Key "A"'],
      columnType: { 'Key "A"': 'character varying(10)', 'spaced name': 'text', 'ünï\u0001': '"MyEnum"' },
      data: [{ 'Key "A"': 'k"1', 'spaced name': value, 'ünï\u0001': 'ü' }],
    });
    expect(new EnvelopeEncoder(weird).messageKey(['k"1', value, 'ü'])).toBe('["k\\"1"]');
  });

  it('handles a table without a primary key', () => {
    const log: RelationSchema = { ...orders, pkNames: [], replicaIdentity: 'f' };
    const encoder = new EnvelopeEncoder(log);
    expect(encoder.messageKey(['1', '2', '3'])).toBeNull();
    expect(messageKey(log, ['1', '2', '3'])).toBeNull();
    const out = JSON.parse(encoder.encode({ ...ctx, kind: 'INSERT', newTuple: ['1', '2', '3'] }));
    expect(out.pkNames).toEqual([]);
  });

  it('handles a table without columns', () => {
    const empty: RelationSchema = { ...orders, columns: [], pkNames: [] };
    expect(encode(empty, { kind: 'INSERT', newTuple: [] })).toMatchObject({ columnType: {}, data: [{}], old: null });
  });

  describe('messageKey', () => {
    it('renders primary key values in key order as a JSON array of strings', () => {
      const composite: RelationSchema = { ...orders, pkNames: ['note', 'id'] };
      expect(new EnvelopeEncoder(orders).messageKey(['42', '1', 'x'])).toBe('["42"]');
      expect(new EnvelopeEncoder(composite).messageKey(['42', '1', 'x'])).toBe('["x","42"]');
      expect(messageKey(composite, ['42', '1', 'x'])).toBe('["x","42"]');
    });

    it('works on a key-only image and renders missing values as null', () => {
      expect(messageKey(orders, ['42', null, null])).toBe('["42"]');
      expect(messageKey(orders, [UNCHANGED_TOAST, null, null])).toBe('[null]');
    });
  });

  describe('errors', () => {
    const encoder = new EnvelopeEncoder(orders);

    it('rejects rows that do not match the schema width', () => {
      expect(() => encoder.encode({ ...ctx, kind: 'INSERT', newTuple: ['1', '2'] })).toThrow(/stale/);
      expect(() => encoder.messageKey(['1'])).toThrow(EnvelopeEncodeError);
    });

    it('rejects missing images, binary values and non-integer times', () => {
      expect(() => encoder.encode({ ...ctx, kind: 'INSERT' })).toThrow(/no new row/);
      expect(() => encoder.encode({ ...ctx, kind: 'DELETE' })).toThrow(/no old row/);
      expect(() => encoder.encode({ ...ctx, kind: 'INSERT', newTuple: ['1', Buffer.from('x'), null] })).toThrow(/binary/);
      expect(() => encoder.encode({ ...ctx, kind: 'INSERT', newTuple: ['1', '2', '3'], es: Number.NaN })).toThrow(EnvelopeEncodeError);
    });

    it('rejects key columns that are not columns', () => {
      expect(() => new EnvelopeEncoder({ ...orders, pkNames: ['nope'] })).toThrow(/"nope"/);
      expect(() => new EnvelopeEncoder({ ...orders, identityKeyNames: ['nope'] })).toThrow(/replica identity/);
    });
  });

  describe('column lists', () => {
    const wide: RelationSchema = {
      ...orders,
      columns: [...orders.columns, { name: 'secret', type: 'text' }],
    };

    it('sends only the projected columns, in data, old and columnType, and always the key', () => {
      const { positions, keptKeys } = columnProjection(wide, { includeColumns: ['note', 'amount'] });
      expect(positions).toEqual([0, 1, 2]);
      expect(keptKeys).toEqual(['id']);
      const encoder = new EnvelopeEncoder({ ...wide, replicaIdentity: 'f' }, { columns: columnProjection(wide, { excludeColumns: ['secret', 'id'] }).positions });
      const out = JSON.parse(encoder.encode({ ...ctx, kind: 'UPDATE', oldTuple: ['1', '2', 'a', 's1'], newTuple: ['1', '3', 'b', 's2'] }));
      expect(out.columnType).toEqual({ id: 'bigint', amount: 'numeric(12,2)', note: 'text' });
      expect(out.data).toEqual([{ id: '1', amount: '3', note: 'b' }]);
      expect(out.old).toEqual([{ id: '1', amount: '2', note: 'a' }]);
    });

    it('does not take every column for a key under REPLICA IDENTITY FULL (pgoutput flags them all)', () => {
      const full = { ...wide, replicaIdentity: 'f' as const, identityKeyNames: ['id', 'amount', 'note', 'secret'] };
      expect(columnProjection(full, { excludeColumns: ['secret', 'id'] }).positions).toEqual([0, 1, 2]);
      expect(columnProjection({ ...full, replicaIdentity: 'i', identityKeyNames: ['note'] }, { includeColumns: ['amount'] }).positions).toEqual([0, 1, 2]);
    });

    it('names list entries that are not columns', () => {
      expect(columnProjection(wide, { includeColumns: ['nope', 'note'] })).toMatchObject({ positions: [0, 2], unknown: ['nope'] });
      expect(columnProjection(wide, {})).toEqual({ positions: null, unknown: [], keptKeys: [] });
    });

    it('leaves a projected-out unchanged TOAST column out of unchangedToast', () => {
      const encoder = new EnvelopeEncoder(wide, { columns: [0, 1, 2] });
      const out = JSON.parse(encoder.encode({ ...ctx, kind: 'UPDATE', newTuple: ['1', '2', UNCHANGED_TOAST, UNCHANGED_TOAST] }));
      expect(out.unchangedToast).toEqual(['note']);
    });
  });

  describe('encodeRecord (the Avro form)', () => {
    const value = fc.oneof(fc.string(), fc.constant(null), fc.constant(UNCHANGED_TOAST));
    const tuple = fc.tuple(fc.string(), value, value, value);
    const schemas: RelationSchema[] = [
      { ...orders, columns: [...orders.columns, { name: '__proto__', type: 'text' }] },
      { ...orders, columns: [...orders.columns, { name: 'x', type: 'text' }], replicaIdentity: 'f' },
      { ...orders, columns: [...orders.columns, { name: 'x', type: 'text' }], pkNames: [], replicaIdentity: 'f' },
    ];

    it('holds exactly what the JSON envelope holds, for every kind of change and image', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...schemas),
          fc.constantFrom<RowChange['kind']>('INSERT', 'UPDATE', 'DELETE'),
          fc.option(tuple, { nil: null }),
          fc.option(tuple, { nil: null }),
          fc.option(fc.tuple(fc.string(), fc.constant(null), fc.constant(null), fc.constant(null)), { nil: null }),
          fc.option(fc.constantFrom([0, 2], [0, 1, 3]), { nil: null }),
          (schema, kind, newTuple, oldTuple, keyTuple, columns) => {
            const encoder = new EnvelopeEncoder(schema, { columns });
            const change = { ...ctx, kind, newTuple: kind === 'DELETE' ? null : newTuple ?? ['1', null, null, null], oldTuple, keyTuple: oldTuple ? null : keyTuple };
            let json: unknown;
            try {
              json = JSON.parse(encoder.encode(change));
            } catch (e) {
              expect(() => encoder.encodeRecord(change)).toThrow((e as Error).message);
              return;
            }
            const record = JSON.parse(JSON.stringify(encoder.encodeRecord(change), (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v } : v)));
            // The record always carries truncate and snapshot (Avro needs every field); JSON only when set.
            const { unchangedToast, truncate, snapshot, ...rest } = record;
            expect(truncate).toBeNull();
            expect(snapshot).toBe(false);
            expect(rest).toEqual(Object.fromEntries(Object.entries(json as object).filter(([k]) => k !== 'unchangedToast')));
            expect(unchangedToast).toEqual((json as { unchangedToast?: string[] }).unchangedToast ?? null);
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('keeps a column named __proto__ as a value, not a prototype', () => {
      const encoder = new EnvelopeEncoder(schemas[0]);
      const record = encoder.encodeRecord({ ...ctx, kind: 'INSERT', newTuple: ['1', '2', '3', 'p'] });
      expect(Object.keys(record.data[0])).toEqual(['id', 'amount', 'note', '__proto__']);
      expect(record.data[0]['__proto__']).toBe('p');
    });
  });
});

describe('EnvelopeEncoder: whole-table messages', () => {
  it('writes a TRUNCATE as the documented envelope: no row, the options, JSON and record alike', () => {
    const encoder = new EnvelopeEncoder(orders, { columns: [0, 2] });
    const change = { ...ctx, options: { cascade: false, restartIdentity: true } };
    const json = encoder.encodeTruncate(change);
    expect(json).toBe(
      '{"id":"000000000A2E1F30-00000003","database":"shop","schema":"public","table":"orders",' +
        '"type":"TRUNCATE","es":1732170000123,"ts":1732170000150,"xid":7731,"lsn":"0/A2E1F30",' +
        '"isDdl":false,"sql":"","pkNames":["id"],"columnType":{"id":"bigint","note":"text"},' +
        '"data":[],"old":null,"truncate":{"cascade":false,"restartIdentity":true}}',
    );
    const record = JSON.parse(JSON.stringify(encoder.truncateRecord(change), (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v } : v)));
    expect(record).toEqual({ ...JSON.parse(json), unchangedToast: null, snapshot: false });
    expect(() => encoder.encodeTruncate({ ...change, es: 1.5 })).toThrow(EnvelopeEncodeError);
  });

  it('writes a schema change with isDdl true, the new columns and what changed', () => {
    const encoder = new EnvelopeEncoder({ ...orders, columns: [...orders.columns, { name: 'tag', type: 'character varying(8)' }] });
    const event = JSON.parse(encoder.encodeSchemaChange({ ...ctx, changes: ['column tag added (character varying(8))'], renamedFrom: null })) as Record<string, unknown>;
    expect(event).toEqual({
      id: '000000000A2E1F30-00000003',
      database: 'shop',
      schema: 'public',
      table: 'orders',
      type: 'DDL',
      es: ctx.es,
      ts: ctx.ts,
      xid: ctx.xid,
      lsn: '0/A2E1F30',
      isDdl: true,
      sql: '',
      pkNames: ['id'],
      columnType: { id: 'bigint', amount: 'numeric(12,2)', note: 'text', tag: 'character varying(8)' },
      data: [],
      old: null,
      changes: ['column tag added (character varying(8))'],
      renamedFrom: null,
    });
  });
});

describe('EnvelopeEncoder: identities other than a primary key', () => {
  it('keys by the replica identity index, and leaves a whole-row identity unkeyed', () => {
    const byIndex = new EnvelopeEncoder({ ...orders, pkNames: ['note'], identityKeyNames: ['note'], replicaIdentity: 'i' });
    expect(byIndex.messageKey([null, null, 'n1'])).toBe('["n1"]');
    const del = JSON.parse(byIndex.encode({ ...ctx, kind: 'DELETE', keyTuple: [null, null, 'n1'] })) as { old: unknown; pkNames: string[] };
    expect(del).toMatchObject({ old: [{ note: 'n1' }], pkNames: ['note'] });
    const wholeRow = { ...orders, pkNames: ['id', 'amount', 'note'], replicaIdentity: 'f' as const, keyIsRow: true };
    expect(new EnvelopeEncoder(wholeRow).messageKey(['1', '2', '3'])).toBeNull();
    expect(messageKey(wholeRow, ['1', '2', '3'])).toBeNull();
  });
});
