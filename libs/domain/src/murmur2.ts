/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): the hash the Java client's
 * default partitioner uses, so partitions chosen here match what a Java producer would pick.
 * Returns the same signed 32-bit int Java does.
 */

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;

// Hashing a string needs its UTF-8 bytes; encoding into one reused buffer avoids an allocation
// per call for the short strings (keys, table names) that are hashed per message.
const scratch = Buffer.allocUnsafe(1024);

function hashBytes(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const tail = length & ~3;
  for (let i = 0; i < tail; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // Java's switch falls through from case 3 to case 1.
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2] << 16;
    // falls through
    case 2:
      h ^= data[tail + 1] << 8;
    // falls through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Murmur2 of raw bytes, or of a string's UTF-8 encoding (as Java's String.getBytes(UTF_8)). */
export function murmur2(input: Uint8Array | string): number {
  if (typeof input !== 'string') return hashBytes(input, input.length);
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (input.length * 3 <= scratch.length) return hashBytes(scratch, scratch.write(input, 0, 'utf8'));
  const bytes = Buffer.from(input, 'utf8');
  return hashBytes(bytes, bytes.length);
}

/** Murmur2 of the first `length` bytes of `data` (a buffer reused by the caller). */
export function murmur2Bytes(data: Uint8Array, length: number): number {
  return hashBytes(data, length);
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which breaks on MIN_VALUE). */
export function toPositive(h: number): number {
  return h & 0x7fffffff;
}
