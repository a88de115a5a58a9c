import { describe, expect, it } from 'vitest';
import { lsnDiff, lsnToBigInt } from './lsn';

describe('LSNs', () => {
  it('reads the two hex halves of an LSN', () => {
    expect(lsnToBigInt('0/0')).toBe(0n);
    expect(lsnToBigInt('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(lsnToBigInt('FFFFFFFF/FFFFFFFF')).toBe(2n ** 64n - 1n);
  });

  it('refuses what is not an LSN', () => {
    for (const bad of ['', '0', '0/', '/1', 'G/1', '1/2/3', null, undefined]) expect(lsnToBigInt(bad)).toBeNull();
  });

  it('measures how far the second position is ahead, across the 4 GB boundary', () => {
    expect(lsnDiff('0/FFFFFFF0', '1/10')).toBe(0x20);
    expect(lsnDiff('1/10', '0/FFFFFFF0')).toBe(0);
    expect(lsnDiff(null, '1/10')).toBe(0);
  });
});
