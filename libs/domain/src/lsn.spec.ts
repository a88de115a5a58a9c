import { describe, expect, it } from 'vitest';
import { compareLsn, formatLsn, lsnToHex16, maxLsn, parseLsn } from './lsn';

describe('lsn', () => {
  it('parses X/Y text, any case', () => {
    expect(parseLsn('0/A2E1F30')).toBe(0xa2e1f30n);
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('16/b374d848')).toBe(0x16_b374_d848n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('rejects malformed text', () => {
    for (const bad of ['', '/', '0/', '/0', '0', '0/G', '123456789/0', '0/123456789', ' 0/1', '0/1 ', '0//1', '-1/0', '0x1/0']) {
      expect(() => parseLsn(bad), bad).toThrow(/invalid LSN/);
    }
  });

  it('formats like PostgreSQL: uppercase, unpadded halves', () => {
    expect(formatLsn(0xa2e1f30n)).toBe('0/A2E1F30');
    expect(formatLsn(0n)).toBe('0/0');
    expect(formatLsn(0x16_0000_0001n)).toBe('16/1');
    expect(formatLsn(0xffff_ffff_ffff_ffffn)).toBe('FFFFFFFF/FFFFFFFF');
  });

  it('round-trips', () => {
    for (const v of [0n, 1n, 0xffff_ffffn, 0x1_0000_0000n, 0xdead_beef_0bad_f00dn]) expect(parseLsn(formatLsn(v))).toBe(v);
  });

  it('renders 16 zero-padded uppercase hex digits', () => {
    expect(lsnToHex16(0xa2e1f30n)).toBe('000000000A2E1F30');
    expect(lsnToHex16(0x1_0000_0000n)).toBe('0000000100000000');
    expect(lsnToHex16(0xffff_ffff_ffff_ffffn)).toBe('FFFFFFFFFFFFFFFF');
  });

  it('refuses values outside uint64', () => {
    expect(() => formatLsn(-1n)).toThrow(RangeError);
    expect(() => lsnToHex16(1n << 64n)).toThrow(RangeError);
  });

  it('compares', () => {
    expect(compareLsn(1n, 2n)).toBe(-1);
    expect(compareLsn(2n, 2n)).toBe(0);
    expect(compareLsn(0x1_0000_0000n, 0xffff_ffffn)).toBe(1);
    expect([3n, 1n, 2n].sort(compareLsn)).toEqual([1n, 2n, 3n]);
    expect(maxLsn(5n, 0x1_0000_0000n)).toBe(0x1_0000_0000n);
    expect(maxLsn(7n, 7n)).toBe(7n);
  });
});
