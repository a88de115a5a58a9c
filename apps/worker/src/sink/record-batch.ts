import { compressionsAlgorithms, crc32c } from '@platformatic/kafka';

/**
 * Kafka's record batch (magic 2), written in one pass into one buffer per partition. The client's
 * own builder makes a small Buffer for every varint and a writer per record, then concatenates
 * them twice; at a few thousand rows per batch that was a third of the worker's CPU and most of
 * its garbage (npm run bench -- --scenario snapshot --cpu-prof). Here a batch costs two walks
 * over its messages (sizes, then bytes) and one allocation.
 * https://kafka.apache.org/documentation/#recordbatch
 */

/** What a record carries: the message key, its value (null: a tombstone) and Walbridge's headers. */
export interface RecordInput {
  key: string | Buffer | null;
  value: Buffer | null;
  /** The walbridge-id header. */
  id: string;
  /** Adds the walbridge-snapshot: true header. */
  snapshot?: boolean;
}

export interface BatchIdentity {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  compression: 'none' | 'gzip';
  /** The batch's timestamp (CreateTime); every record has it (delta 0). */
  timestamp: bigint;
}

/** baseOffset … recordCount: the bytes before the first record. */
export const BATCH_HEADER_BYTES = 61;
/** Where the CRC's range starts (attributes) and where the CRC itself is. */
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const MAGIC = 2;

const ID_HEADER = Buffer.from('walbridge-id');
const SNAPSHOT_HEADER = Buffer.from('walbridge-snapshot');
const TRUE = Buffer.from('true');

const zigzag = (n: number): number => ((n << 1) ^ (n >> 31)) >>> 0;

/** Bytes of a zigzag varint (lengths and deltas here are well within 32 bits). */
export function varintSize(n: number): number {
  const z = zigzag(n);
  return z < 0x80 ? 1 : z < 0x4000 ? 2 : z < 0x200000 ? 3 : z < 0x10000000 ? 4 : 5;
}

function writeVarint(buf: Buffer, offset: number, n: number): number {
  let z = zigzag(n);
  while (z >= 0x80) {
    buf[offset++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[offset++] = z;
  return offset;
}

const byteLength = (v: string | Buffer): number => (typeof v === 'string' ? Buffer.byteLength(v) : v.length);

function writeBytes(buf: Buffer, offset: number, v: string | Buffer, length: number): number {
  if (typeof v === 'string') buf.write(v, offset, length, 'utf8');
  else v.copy(buf, offset);
  return offset + length;
}

/**
 * The records of `messages` (in their order, offset deltas 0…n-1) into `buf` from `offset`;
 * `sizes` holds [keyBytes, idBytes, bodyBytes] per message from recordsSize().
 */
function writeRecords(buf: Buffer, offset: number, messages: readonly RecordInput[], sizes: Int32Array): number {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const keyBytes = sizes[i * 3];
    const idBytes = sizes[i * 3 + 1];
    offset = writeVarint(buf, offset, sizes[i * 3 + 2]);
    buf[offset++] = 0; // attributes
    buf[offset++] = 0; // timestamp delta: every record has the batch's timestamp
    offset = writeVarint(buf, offset, i);
    if (m.key === null) offset = writeVarint(buf, offset, -1);
    else offset = writeBytes(buf, writeVarint(buf, offset, keyBytes), m.key, keyBytes);
    if (m.value === null) offset = writeVarint(buf, offset, -1);
    else {
      offset = writeVarint(buf, offset, m.value.length);
      offset += m.value.copy(buf, offset);
    }
    offset = writeVarint(buf, offset, m.snapshot ? 2 : 1);
    offset = writeBytes(buf, writeVarint(buf, offset, ID_HEADER.length), ID_HEADER, ID_HEADER.length);
    offset = writeBytes(buf, writeVarint(buf, offset, idBytes), m.id, idBytes);
    if (m.snapshot) {
      offset = writeBytes(buf, writeVarint(buf, offset, SNAPSHOT_HEADER.length), SNAPSHOT_HEADER, SNAPSHOT_HEADER.length);
      offset = writeBytes(buf, writeVarint(buf, offset, TRUE.length), TRUE, TRUE.length);
    }
  }
  return offset;
}

/** Total bytes of the records, filling `sizes` for writeRecords(). */
function recordsSize(messages: readonly RecordInput[], sizes: Int32Array): number {
  let total = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const keyBytes = m.key === null ? 0 : byteLength(m.key);
    const idBytes = Buffer.byteLength(m.id);
    let body = 3 + varintSize(i); // attributes, timestamp delta (0), header count (1 or 2)
    body += m.key === null ? 1 : varintSize(keyBytes) + keyBytes;
    body += m.value === null ? 1 : varintSize(m.value.length) + m.value.length;
    body += 1 + ID_HEADER.length + varintSize(idBytes) + idBytes;
    if (m.snapshot) body += 1 + SNAPSHOT_HEADER.length + 1 + TRUE.length;
    sizes[i * 3] = keyBytes;
    sizes[i * 3 + 1] = idBytes;
    sizes[i * 3 + 2] = body;
    total += varintSize(body) + body;
  }
  return total;
}

/** One partition's messages as a record batch, ready for a Produce request. */
export function encodeRecordBatch(messages: readonly RecordInput[], identity: BatchIdentity): Buffer {
  if (!messages.length) throw new Error('a record batch needs at least one record');
  const sizes = new Int32Array(messages.length * 3);
  const recordBytes = recordsSize(messages, sizes);
  let batch: Buffer;
  let attributes = 0;
  if (identity.compression === 'none') {
    batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + recordBytes);
    writeRecords(batch, BATCH_HEADER_BYTES, messages, sizes);
  } else {
    const algorithm = compressionsAlgorithms[identity.compression];
    const records = Buffer.allocUnsafe(recordBytes);
    writeRecords(records, 0, messages, sizes);
    const compressed = algorithm.compressSync(records) as Buffer;
    attributes |= algorithm.bitmask;
    batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
    compressed.copy(batch, BATCH_HEADER_BYTES);
  }
  batch.writeBigInt64BE(0n, 0); // base offset: the broker assigns it
  batch.writeInt32BE(batch.length - 12, 8); // batch length: everything after this field
  batch.writeInt32BE(0, 12); // partition leader epoch (the client's value)
  batch.writeInt8(MAGIC, 16);
  batch.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  batch.writeInt32BE(messages.length - 1, 23); // last offset delta
  batch.writeBigInt64BE(identity.timestamp, 27); // first timestamp
  batch.writeBigInt64BE(identity.timestamp, 35); // max timestamp
  batch.writeBigInt64BE(identity.producerId, 43);
  batch.writeInt16BE(identity.producerEpoch, 51);
  batch.writeInt32BE(identity.baseSequence, 53);
  batch.writeInt32BE(messages.length, 57);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  return batch;
}
