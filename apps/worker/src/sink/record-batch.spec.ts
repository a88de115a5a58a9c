import { Reader, crc32c, readRecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { BATCH_HEADER_BYTES, encodeRecordBatch, varintSize, type RecordInput } from './record-batch';

const identity = { producerId: 4242n, producerEpoch: 3, baseSequence: 1000, compression: 'none' as const, timestamp: 1_700_000_000_123n };

/** Read back with the client's own decoder (what a consumer of the topic sees). */
function decode(batch: Buffer) {
  return readRecordsBatch(Reader.from(batch));
}

const text = (b: Buffer | null | undefined) => (b == null ? null : b.toString('utf8'));

describe('encodeRecordBatch', () => {
  const messages: RecordInput[] = [
    { key: '{"id":1}', value: Buffer.from('{"type":"INSERT","after":{"id":1}}'), id: 'm-1' },
    // multi-byte key text: its length is in bytes, not characters
    { key: 'clé-ünïcödé-€', value: Buffer.from('v'.repeat(300)), id: 'm-2', snapshot: true },
    // a tombstone and a key-less message
    { key: Buffer.from([0, 1, 2, 255]), value: null, id: 'm-3' },
    { key: null, value: Buffer.alloc(0), id: 'snapshot-abcdef012345-0011223344556677' },
  ];

  it.each(['none', 'gzip'] as const)('writes records the client decodes unchanged (compression %s)', (compression) => {
    const batch = decode(encodeRecordBatch(messages, { ...identity, compression }));
    expect(batch.magic).toBe(2);
    expect(batch.producerId).toBe(4242n);
    expect(batch.producerEpoch).toBe(3);
    expect(batch.firstSequence).toBe(1000);
    expect(batch.lastOffsetDelta).toBe(3);
    expect(batch.firstTimestamp).toBe(identity.timestamp);
    expect(batch.maxTimestamp).toBe(identity.timestamp);
    expect(batch.attributes & 0b111).toBe(compression === 'gzip' ? 1 : 0);
    expect(
      batch.records.map((r) => ({
        offsetDelta: r.offsetDelta,
        timestampDelta: r.timestampDelta,
        key: r.key == null ? null : Buffer.from(r.key),
        value: text(r.value),
        headers: r.headers.map(([k, v]) => [text(k), text(v)]),
      })),
    ).toEqual([
      { offsetDelta: 0, timestampDelta: 0n, key: Buffer.from('{"id":1}'), value: '{"type":"INSERT","after":{"id":1}}', headers: [['walbridge-id', 'm-1']] },
      { offsetDelta: 1, timestampDelta: 0n, key: Buffer.from('clé-ünïcödé-€'), value: 'v'.repeat(300), headers: [['walbridge-id', 'm-2'], ['walbridge-snapshot', 'true']] },
      { offsetDelta: 2, timestampDelta: 0n, key: Buffer.from([0, 1, 2, 255]), value: null, headers: [['walbridge-id', 'm-3']] },
      { offsetDelta: 3, timestampDelta: 0n, key: null, value: '', headers: [['walbridge-id', 'snapshot-abcdef012345-0011223344556677']] },
    ]);
  });

  it('frames the batch as the broker checks it: length after the length field, CRC-32C from the attributes on', () => {
    const buf = encodeRecordBatch(messages, identity);
    expect(buf.readInt32BE(8)).toBe(buf.length - 12);
    expect(buf.readUInt32BE(17)).toBe(crc32c(buf.subarray(21)));
    expect(buf.readInt32BE(57)).toBe(messages.length);
    expect(buf.length).toBeGreaterThan(BATCH_HEADER_BYTES);
  });

  it('sizes records past one-byte lengths exactly (a 5 MB value)', () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const [record] = decode(encodeRecordBatch([{ key: 'k', value: big, id: 'x' }], identity)).records;
    expect(Buffer.from(record.value!).equals(big)).toBe(true);
  });

  it('refuses an empty batch', () => {
    expect(() => encodeRecordBatch([], identity)).toThrow(/at least one record/);
  });
});

describe('varintSize', () => {
  it.each([
    [0, 1], [-1, 1], [63, 1], [64, 2], [-65, 2], [8191, 2], [8192, 3], [1_048_575, 3], [1_048_576, 4], [134_217_728, 5],
  ])('%i takes %i byte(s) zigzag-encoded', (n, bytes) => {
    expect(varintSize(n)).toBe(bytes);
  });
});
