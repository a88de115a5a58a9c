import { describe, expect, it } from 'vitest';
import { AvroRegistryEncoder, EnvelopeEncoder, type RelationSchema, type RowChange } from '@walbridge/domain';
import { avroType, confluentFrame, wrapUnionValues } from './avro-codec';
import { ENVELOPE_AVRO_SCHEMA } from '@walbridge/contracts';
import { SchemaTypeCache, messageDecoderFor, unframe, type SchemaSource } from './message-decoders';

const schema: RelationSchema = {
  relationId: 1,
  database: 'demo',
  schema: 'shop',
  table: 'orders',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'amount', type: 'numeric(12,2)' },
    { name: 'note', type: 'text' },
  ],
  pkNames: ['id'],
  replicaIdentity: 'd',
};
const change = { kind: 'INSERT', newTuple: ['9007199254740993', '-1234.50', 'héllo'], keyTuple: null, commitLsn: 16n, index: 0, xid: 1, es: 1, ts: 2 } satisfies RowChange;

class FakeRegistry implements SchemaSource {
  readonly where = 'http://registry';
  lookups = 0;
  constructor(private readonly schemas: Record<number, unknown>) {}
  async schemaById(id: number): Promise<unknown> {
    this.lookups += 1;
    if (!(id in this.schemas)) throw new Error(`schema registry http://registry answered 404 (GET /schemas/ids/${id})`);
    return this.schemas[id];
  }
}

describe('message decoders: the browser shows Avro as its JSON form', () => {
  const encoder = new AvroRegistryEncoder(schema);
  const [record] = encoder.encode(change);
  // Written as the worker writes them (apps/worker/src/encoding/avro-registry-encoder.ts).
  const valueType = avroType(encoder.valueSchema);
  const keyType = avroType(encoder.keySchema!);
  const value = confluentFrame(7, valueType.toBuffer(wrapUnionValues(valueType, record.value)));
  const key = confluentFrame(8, keyType.toBuffer(wrapUnionValues(keyType, record.key)));

  it('decodes avro-registry keys and values with the schema of their id, exact decimals and longs, and asks the registry once per id', async () => {
    const registry = new FakeRegistry({ 7: encoder.valueSchema, 8: encoder.keySchema });
    const decoder = messageDecoderFor('avro-registry', registry, new SchemaTypeCache())!;
    const v = await decoder.value(value);
    expect(v).toMatchObject({ decodedFrom: 'avro-registry', schemaId: 7 });
    const json = JSON.parse(v!.text);
    expect(json).toMatchObject({ op: 'c', before: null, after: { id: '9007199254740993', amount: '-1234.50', note: 'héllo' }, source: { schema: 'shop', table: 'orders' } });
    expect(JSON.parse((await decoder.key(key))!.text)).toEqual({ id: '9007199254740993' });
    await decoder.value(value);
    expect(registry.lookups).toBe(2);
  });

  it('says why a message cannot be decoded, and leaves bytes that are not framed alone', async () => {
    const decoder = messageDecoderFor('avro-registry', new FakeRegistry({}), new SchemaTypeCache())!;
    await expect(decoder.value(value)).rejects.toThrow(/GET \/schemas\/ids\/7/);
    expect(unframe(Buffer.from('{"a":1}'))).toBeNull();
    await expect(decoder.value(Buffer.from('{"a":1}'))).resolves.toBeNull();
  });

  it('decodes the fixed Avro envelope; JSON formats need no decoder', async () => {
    const bytes = avroType(ENVELOPE_AVRO_SCHEMA, { wrapUnions: false }).toBuffer(toBigints(new EnvelopeEncoder(schema).encodeRecord({ ...change, newTuple: ['1', '2.00', 'x'] })));
    const decoded = await messageDecoderFor('avro', null, new SchemaTypeCache())!.value(bytes);
    expect(JSON.parse(decoded!.text)).toMatchObject({ schema: 'shop', table: 'orders', type: 'INSERT' });
    expect(messageDecoderFor('json', null, new SchemaTypeCache())).toBeNull();
    expect(messageDecoderFor('debezium-json', null, new SchemaTypeCache())).toBeNull();
  });
});

/** The fixed envelope's writer takes numbers for longs; the reader here takes bigints. */
function toBigints(record: unknown): unknown {
  const r = record as Record<string, unknown>;
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && Number.isInteger(v) && ['es', 'ts', 'xid'].includes(k) ? BigInt(v) : v]));
}
