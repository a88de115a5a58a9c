export class PgOutputDecodeError extends Error {
  override readonly name = 'PgOutputDecodeError';
}

interface NativeUtf8Slice {
  utf8Slice(start: number, end: number): string;
}

// Buffer#utf8Slice is what Buffer#toString('utf8') ends up calling, minus the encoding lookup
// and argument normalisation, which cost more than the decoding itself for short values.
const hasUtf8Slice = typeof (Buffer.prototype as unknown as Partial<NativeUtf8Slice>).utf8Slice === 'function';

// Below this length building the string in JS beats the call into C++ (measured on Node 20);
// most column values (ids, amounts, flags) are that short.
const SHORT_TEXT = 8;

function decodeUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start <= SHORT_TEXT) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c > 0x7f) return slowUtf8(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return slowUtf8(buf, start, end);
}

function slowUtf8(buf: Buffer, start: number, end: number): string {
  return hasUtf8Slice ? (buf as unknown as NativeUtf8Slice).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

// 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in Unix ms.
const PG_EPOCH_MS = 946_684_800_000;

/** Bounds-checked big-endian cursor over one pgoutput message. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  private need(n: number, what: string): void {
    if (n < 0) throw new PgOutputDecodeError(`invalid length ${n} for ${what} at offset ${this.pos}`);
    if (this.pos + n > this.buf.length) {
      throw new PgOutputDecodeError(
        `pgoutput message truncated: ${what} needs ${n} bytes at offset ${this.pos}, buffer has ${this.buf.length}`,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  u16(what: string): number {
    this.need(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  i32(what: string): number {
    this.need(4, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }

  /** OIDs and xids are unsigned 32-bit. */
  u32(what: string): number {
    return this.i32(what) >>> 0;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Int64 microseconds since 2000-01-01 → ms since the Unix epoch, without a bigint. */
  timestampMs(what: string): number {
    this.need(8, what);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    // Exact while |µs| < 2^53, i.e. for ±285 years around 2000.
    return Math.floor((hi * 0x1_0000_0000 + lo) / 1000) + PG_EPOCH_MS;
  }

  /** NUL-terminated string (names, prefixes). */
  cstring(what: string): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new PgOutputDecodeError(`pgoutput message truncated: ${what} at offset ${this.pos} has no NUL terminator`);
    const s = decodeUtf8(this.buf, this.pos, end);
    this.pos = end + 1;
    return s;
  }

  text(length: number, what: string): string {
    this.need(length, what);
    const start = this.pos;
    this.pos = start + length;
    return decodeUtf8(this.buf, start, this.pos);
  }

  /** Copies, so results never pin or alias the (possibly reused) network buffer. */
  bytes(length: number, what: string): Buffer {
    this.need(length, what);
    const out = Buffer.allocUnsafe(length);
    this.buf.copy(out, 0, this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  expectEnd(what: string): void {
    if (this.pos !== this.buf.length) {
      throw new PgOutputDecodeError(`${this.buf.length - this.pos} unexpected trailing bytes after ${what} at offset ${this.pos}`);
    }
  }
}
