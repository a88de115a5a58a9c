import { describe, expect, it } from 'vitest';
import { PgOutputDecodeError } from './byte-reader';
import { decodePgOutput } from './decode';
import { UNCHANGED_TOAST, type TupleValue } from './messages';

/** Test-only pgoutput writer: builds byte sequences exactly as PostgreSQL's proto.c lays them out. */
class Writer {
  private readonly parts: Buffer[] = [];

  byte(v: number | string): this {
    this.parts.push(Buffer.from([typeof v === 'string' ? v.charCodeAt(0) : v]));
    return this;
  }
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    if (v < 0) b.writeInt32BE(v);
    else b.writeUInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt.asIntN(64, v));
    this.parts.push(b);
    return this;
  }
  /** ms since the Unix epoch → µs since 2000-01-01, plus extra µs to check truncation. */
  timestamp(ms: number, extraMicros = 0): this {
    return this.int64((BigInt(ms) - 946_684_800_000n) * 1000n + BigInt(extraMicros));
  }
  cstring(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  tuple(values: TupleValue[]): this {
    this.int16(values.length);
    for (const v of values) {
      if (v === null) this.byte('n');
      else if (v === UNCHANGED_TOAST) this.byte('u');
      else if (typeof v === 'string') {
        const bytes = Buffer.from(v, 'utf8');
        this.byte('t').int32(bytes.length).raw(bytes);
      } else this.byte('b').int32(v.length).raw(v);
    }
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const w = () => new Writer();
const HIGH_LSN = 0x1_0000_0002_a2e1_f30n; // high word 0x10, above 4 GB
const COMMIT_MS = 1_732_170_000_123;

describe('decodePgOutput', () => {
  it('decodes Begin with a high LSN, ms commit time and xid', () => {
    const buf = w().byte('B').int64(HIGH_LSN).timestamp(COMMIT_MS, 456).int32(0xfffffff0).build();
    expect(decodePgOutput(buf)).toEqual({ tag: 'begin', finalLsn: HIGH_LSN, commitTime: COMMIT_MS, xid: 0xfffffff0 });
  });

  it('converts commit times before 2000 (negative µs) by flooring', () => {
    const buf = w().byte('B').int64(1n).timestamp(946_684_799_999, 1).int32(1).build();
    expect(decodePgOutput(buf)).toMatchObject({ commitTime: 946_684_799_999 });
  });

  it('decodes Commit', () => {
    const buf = w().byte('C').byte(0).int64(HIGH_LSN).int64(HIGH_LSN + 0x30n).timestamp(COMMIT_MS).build();
    expect(decodePgOutput(buf)).toEqual({
      tag: 'commit',
      flags: 0,
      commitLsn: HIGH_LSN,
      endLsn: HIGH_LSN + 0x30n,
      commitTime: COMMIT_MS,
    });
  });

  it('decodes the maximum LSN as unsigned', () => {
    const max = 0xffff_ffff_ffff_ffffn;
    const buf = w().byte('C').byte(0).int64(max).int64(max).timestamp(COMMIT_MS).build();
    expect(decodePgOutput(buf)).toMatchObject({ commitLsn: max, endLsn: max });
  });

  it('decodes Origin', () => {
    const buf = w().byte('O').int64(0x5_0000_0010n).cstring('node_a').build();
    expect(decodePgOutput(buf)).toEqual({ tag: 'origin', originLsn: 0x5_0000_0010n, name: 'node_a' });
  });

  it('decodes Relation with key flags, unsigned OIDs, typmods and unicode names', () => {
    const buf = w()
      .byte('R')
      .int32(3_000_000_000)
      .cstring('Sales "EU"')
      .cstring('órdenes 注文')
      .byte('i')
      .int16(3)
      .byte(1).cstring('id').int32(20).int32(-1)
      .byte(0).cstring('amount').int32(1700).int32(786438)
      .byte(0).cstring('Note Text').int32(25).int32(-1)
      .build();
    expect(decodePgOutput(buf)).toEqual({
      tag: 'relation',
      relationId: 3_000_000_000,
      schema: 'Sales "EU"',
      table: 'órdenes 注文',
      replicaIdentity: 'i',
      columns: [
        { flags: 1, isKey: true, name: 'id', typeOid: 20, typeMod: -1 },
        { flags: 0, isKey: false, name: 'amount', typeOid: 1700, typeMod: 786438 },
        { flags: 0, isKey: false, name: 'Note Text', typeOid: 25, typeMod: -1 },
      ],
    });
  });

  it('decodes Relation of pg_catalog (empty namespace) with no columns', () => {
    const buf = w().byte('R').int32(1).cstring('').cstring('t').byte('n').int16(0).build();
    expect(decodePgOutput(buf)).toEqual({ tag: 'relation', relationId: 1, schema: '', table: 't', replicaIdentity: 'n', columns: [] });
  });

  it('decodes Type', () => {
    const buf = w().byte('Y').int32(16_385).cstring('public').cstring('mood').build();
    expect(decodePgOutput(buf)).toEqual({ tag: 'type', typeOid: 16_385, schema: 'public', name: 'mood' });
  });

  it('decodes Insert keeping text exactly: NULL, big numerics, int8, timestamps, multibyte UTF-8', () => {
    const values: TupleValue[] = [
      '9223372036854775807',
      '12345678901234567890.000000000000000001',
      null,
      '2024-11-21 06:20:00.123456+00',
      'café ☕ 𝄞 注文',
      '',
      'Ω',
      'x'.repeat(10_000),
    ];
    const buf = w().byte('I').int32(16_400).byte('N').tuple(values).build();
    expect(decodePgOutput(buf)).toEqual({ tag: 'insert', relationId: 16_400, newTuple: values });
  });

  it('decodes Update without an old image and with unchanged TOAST', () => {
    const buf = w().byte('U').int32(7).byte('N').tuple(['1', UNCHANGED_TOAST, null]).build();
    const msg = decodePgOutput(buf);
    expect(msg).toEqual({ tag: 'update', relationId: 7, keyTuple: null, oldTuple: null, newTuple: ['1', UNCHANGED_TOAST, null] });
    if (msg.tag !== 'update') throw new Error('unreachable');
    expect(msg.newTuple[1]).toBe(UNCHANGED_TOAST);
  });

  it('decodes Update with a key tuple', () => {
    const buf = w().byte('U').int32(7).byte('K').tuple(['1', null, null]).byte('N').tuple(['2', 'b', null]).build();
    expect(decodePgOutput(buf)).toEqual({
      tag: 'update',
      relationId: 7,
      keyTuple: ['1', null, null],
      oldTuple: null,
      newTuple: ['2', 'b', null],
    });
  });

  it('decodes Update with a full old tuple', () => {
    const buf = w().byte('U').int32(7).byte('O').tuple(['1', 'a', null]).byte('N').tuple(['1', 'b', 'c']).build();
    expect(decodePgOutput(buf)).toEqual({
      tag: 'update',
      relationId: 7,
      keyTuple: null,
      oldTuple: ['1', 'a', null],
      newTuple: ['1', 'b', 'c'],
    });
  });

  it('decodes Delete with a key tuple and with an old tuple', () => {
    expect(decodePgOutput(w().byte('D').int32(9).byte('K').tuple(['5', null]).build())).toEqual({
      tag: 'delete',
      relationId: 9,
      keyTuple: ['5', null],
      oldTuple: null,
    });
    expect(decodePgOutput(w().byte('D').int32(9).byte('O').tuple(['5', 'x']).build())).toEqual({
      tag: 'delete',
      relationId: 9,
      keyTuple: null,
      oldTuple: ['5', 'x'],
    });
  });

  it('keeps binary values as a copy of the bytes', () => {
    const input = w().byte('I').int32(1).byte('N').tuple([Buffer.from([0, 1, 255])]).build();
    const msg = decodePgOutput(input);
    if (msg.tag !== 'insert') throw new Error('unreachable');
    const value = msg.newTuple[0] as Buffer;
    expect(Buffer.isBuffer(value)).toBe(true);
    expect([...value]).toEqual([0, 1, 255]);
    input.fill(7);
    expect([...value]).toEqual([0, 1, 255]);
  });

  it('decodes Truncate', () => {
    const buf = w().byte('T').int32(2).byte(3).int32(16_400).int32(4_000_000_000).build();
    expect(decodePgOutput(buf)).toEqual({
      tag: 'truncate',
      relationIds: [16_400, 4_000_000_000],
      options: 3,
      cascade: true,
      restartIdentity: true,
    });
    expect(decodePgOutput(w().byte('T').int32(1).byte(0).int32(5).build())).toMatchObject({ cascade: false, restartIdentity: false });
  });

  it('decodes logical messages (transactional and not) with a copied content buffer', () => {
    const content = Buffer.from('{"hello":"wörld"}', 'utf8');
    const input = w().byte('M').byte(1).int64(HIGH_LSN).cstring('walbridge.heartbeat').int32(content.length).raw(content).build();
    const msg = decodePgOutput(input);
    expect(msg).toEqual({ tag: 'message', transactional: true, lsn: HIGH_LSN, prefix: 'walbridge.heartbeat', content });
    input.fill(0);
    if (msg.tag !== 'message') throw new Error('unreachable');
    expect(msg.content.toString('utf8')).toBe('{"hello":"wörld"}');

    const empty = w().byte('M').byte(0).int64(5n).cstring('p').int32(0).build();
    expect(decodePgOutput(empty)).toEqual({ tag: 'message', transactional: false, lsn: 5n, prefix: 'p', content: Buffer.alloc(0) });
  });

  it('honours an offset (e.g. the 25-byte XLogData header)', () => {
    const header = Buffer.alloc(25, 0x77);
    const body = w().byte('I').int32(1).byte('N').tuple(['a']).build();
    expect(decodePgOutput(Buffer.concat([header, body]), 25)).toEqual({ tag: 'insert', relationId: 1, newTuple: ['a'] });
  });

  it('decodes multibyte text at every length around the short-string fast path', () => {
    for (let n = 0; n <= 12; n++) {
      for (const s of ['a'.repeat(n), 'é'.repeat(n), 'a'.repeat(Math.max(0, n - 1)) + '€']) {
        const msg = decodePgOutput(w().byte('I').int32(1).byte('N').tuple([s]).build());
        expect(msg).toEqual({ tag: 'insert', relationId: 1, newTuple: [s] });
      }
    }
  });

  describe('errors', () => {
    it('rejects unknown message types clearly', () => {
      expect(() => decodePgOutput(Buffer.from('Z'))).toThrow(PgOutputDecodeError);
      expect(() => decodePgOutput(Buffer.from('Z'))).toThrow(/unknown pgoutput message type 'Z' \(0x5a\)/);
    });

    it('names streaming messages as unsupported protocol features', () => {
      expect(() => decodePgOutput(w().byte('S').int32(1).byte(1).build())).toThrow(/'S' \(0x53\), Stream Start.*only proto_version 1/);
    });

    it('rejects an empty buffer', () => {
      expect(() => decodePgOutput(Buffer.alloc(0))).toThrow(/truncated: message type/);
    });

    it('rejects truncated messages', () => {
      const full = w().byte('I').int32(1).byte('N').tuple(['hello']).build();
      for (let len = 1; len < full.length; len++) {
        expect(() => decodePgOutput(full.subarray(0, len))).toThrow(PgOutputDecodeError);
      }
      expect(() => decodePgOutput(w().byte('Y').int32(1).cstring('public').raw(Buffer.from('mood')).build())).toThrow(
        /no NUL terminator/,
      );
    });

    it('rejects trailing bytes, unknown tuple kinds and bad markers', () => {
      expect(() => decodePgOutput(w().byte('B').int64(1n).timestamp(COMMIT_MS).int32(1).byte(0).build())).toThrow(/trailing/);
      expect(() => decodePgOutput(w().byte('I').int32(1).byte('N').int16(1).byte('x').build())).toThrow(/tuple value kind 'x'/);
      expect(() => decodePgOutput(w().byte('I').int32(1).byte('K').tuple([]).build())).toThrow(/new tuple marker/);
      expect(() => decodePgOutput(w().byte('U').int32(1).byte('X').tuple([]).build())).toThrow(/'K', 'O' or 'N'/);
      expect(() => decodePgOutput(w().byte('D').int32(1).byte('N').tuple([]).build())).toThrow(/'K' or 'O'/);
      expect(() => decodePgOutput(w().byte('I').int32(1).byte('N').int16(1).byte('t').int32(-5).build())).toThrow(/invalid length/);
      expect(() => decodePgOutput(w().byte('R').int32(1).cstring('s').cstring('t').byte('q').int16(0).build())).toThrow(
        /replica identity 'q'/,
      );
    });
  });
});
