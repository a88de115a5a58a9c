import { murmur2Bytes } from '../murmur2';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return HEX[(n >>> 24) & 0xff] + HEX[(n >>> 16) & 0xff] + HEX[(n >>> 8) & 0xff] + HEX[n & 0xff];
}

/**
 * The ids of one (backfill, table)'s snapshot rows: the same for the same key whenever it is
 * sent, so a consumer can tell a repeat (a chunk sent again after a crash). The id is
 * `snapshot-<12 hex of the backfill>-<murmur2("table\0key")><murmur2("key\0table\0backfill")>`.
 * Built once per chunk: the hashed bytes are laid out around the key in one reused buffer, so
 * a row costs two hashes of its key's bytes and no intermediate string (it runs once per row).
 */
export class SnapshotMessageIds {
  private readonly prefix: string;
  /** `table\0` (before the key in the first hash) and `\0table\0backfill` (after it in the second). */
  private readonly head: Buffer;
  private readonly tail: Buffer;
  private scratch = Buffer.allocUnsafe(4096);

  constructor(backfillId: string, table: string) {
    this.prefix = `snapshot-${backfillId.replace(/-/g, '').slice(0, 12)}-`;
    this.head = Buffer.from(`${table}\u0000`, 'utf8');
    this.tail = Buffer.from(`\u0000${table}\u0000${backfillId}`, 'utf8');
  }

  /** `key` is the message key, or the row's values for a table without a key. */
  idOf(key: string): string {
    const { head, tail } = this;
    // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
    const room = head.length + key.length * 3 + tail.length;
    if (room > this.scratch.length) this.scratch = Buffer.allocUnsafe(room);
    const scratch = this.scratch;
    head.copy(scratch, 0);
    const keyBytes = scratch.write(key, head.length, 'utf8');
    const a = murmur2Bytes(scratch, head.length + keyBytes);
    // The second hash starts with the key: move its bytes to the front, the tail after them.
    scratch.copyWithin(0, head.length, head.length + keyBytes);
    tail.copy(scratch, keyBytes);
    const b = murmur2Bytes(scratch, keyBytes + tail.length);
    return this.prefix + hex8(a) + hex8(b);
  }
}

/** The id of one snapshot row (see SnapshotMessageIds, which the data path uses per chunk). */
export function snapshotMessageId(backfillId: string, table: string, key: string): string {
  return new SnapshotMessageIds(backfillId, table).idOf(key);
}
