import { describe, expect, it } from 'vitest';
import * as avsc from 'avsc';
import { ENVELOPE_AVRO_SCHEMA } from '@walbridge/contracts';
import { UNCHANGED_TOAST, type RelationSchema, type RowChange } from '@walbridge/domain';
import { createChangeEncoder, envelopeAvroType } from './change-encoder';

const schema: RelationSchema = {
  relationId: 1,
  database: 'demo',
  schema: 'shop',
  table: 'orders',
  replicaIdentity: 'd',
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'Mixed "Col"', type: 'text' },
    { name: 'big', type: 'text' },
  ],
  pkNames: ['id'],
};
const change = { commitLsn: 0x1_0000_00a0n, index: 2, xid: 4_000_000_000, es: 1_732_170_000_123, ts: 1_732_170_000_150 };

describe('createChangeEncoder', () => {
  it('writes Avro binary of the fixed schema holding what the JSON envelope holds', () => {
    const json = createChangeEncoder('json', schema, {});
    const avro = createChangeEncoder('avro', schema, {});
    const c: RowChange = { ...change, kind: 'UPDATE', newTuple: ['9223372036854775807', 'p', UNCHANGED_TOAST], keyTuple: null, oldTuple: null };
    const bytes = avro.encode(c);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    const decoded = envelopeAvroType().fromBuffer(bytes) as Record<string, unknown>;
    const expected = JSON.parse(json.encode(c).toString()) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(decoded))).toEqual({ ...expected, unchangedToast: ['big'], truncate: null, snapshot: false });
    expect(expected.unchangedToast).toEqual(['big']);
    expect(avro.messageKey(['42', null, null])).toBe('["42"]');
  });

  it('writes a TRUNCATE in both formats with its options and no row', () => {
    const truncate = { options: { cascade: true, restartIdentity: false }, commitLsn: change.commitLsn, index: 2, xid: change.xid, es: change.es, ts: change.ts };
    const json = JSON.parse(createChangeEncoder('json', schema, {}).encodeTruncate(truncate).toString()) as Record<string, unknown>;
    expect(json).toMatchObject({ type: 'TRUNCATE', data: [], old: null, truncate: { cascade: true, restartIdentity: false }, pkNames: schema.pkNames });
    const decoded = envelopeAvroType().fromBuffer(createChangeEncoder('avro', schema, {}).encodeTruncate(truncate)) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(decoded))).toEqual({ ...json, unchangedToast: null, snapshot: false });
  });

  it('marks snapshot rows in both formats, and an old reader of the Avro schema still reads them', () => {
    const json = createChangeEncoder('json', schema, {});
    const avro = createChangeEncoder('avro', schema, {});
    const c = { ...change, kind: 'INSERT' as const, newTuple: ['7', 'p', 'q'], snapshot: { id: 'snapshot-abc-0123456789abcdef' } };
    const fromJson = JSON.parse(json.encode(c).toString()) as Record<string, unknown>;
    expect(fromJson).toMatchObject({ id: 'snapshot-abc-0123456789abcdef', type: 'INSERT', snapshot: true, data: [{ id: '7' }] });
    const decoded = envelopeAvroType().fromBuffer(avro.encode(c)) as Record<string, unknown>;
    expect(decoded).toMatchObject({ id: 'snapshot-abc-0123456789abcdef', snapshot: true });
    // A consumer still holding the schema without the field resolves the new writer's records.
    const oldSchema = { ...ENVELOPE_AVRO_SCHEMA, fields: ENVELOPE_AVRO_SCHEMA.fields.filter((f) => f.name !== 'snapshot') };
    const oldType = avsc.Type.forSchema(oldSchema as never);
    const resolver = oldType.createResolver(envelopeAvroType());
    expect(oldType.fromBuffer(avro.encode(c), resolver)).toMatchObject({ id: 'snapshot-abc-0123456789abcdef', type: 'INSERT' });
    // And a new reader reads old records (written without the field) as snapshot false.
    const oldBytes = oldType.toBuffer({ ...decoded, snapshot: undefined });
    expect(envelopeAvroType().fromBuffer(oldBytes, envelopeAvroType().createResolver(oldType))).toMatchObject({ snapshot: false });
  });
});
