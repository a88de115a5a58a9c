import { describe, expect, it } from 'vitest';
import { messageId } from './message-id';

describe('messageId', () => {
  it('matches the documented example', () => {
    expect(messageId(0xa2e1f30n, 3)).toBe('000000000A2E1F30-00000003');
  });

  it('uses uppercase fixed-width hex for both parts, including above 2^31 and 4 GB', () => {
    expect(messageId(0x1f_0000_00abn, 0xabcdef)).toBe('0000001F000000AB-00ABCDEF');
    expect(messageId(0xffff_ffff_ffff_ffffn, 0xffff_ffff)).toBe('FFFFFFFFFFFFFFFF-FFFFFFFF');
    expect(messageId(0n, 0x8000_0000)).toBe('0000000000000000-80000000');
  });

  it('does not reuse a cached prefix for a different LSN', () => {
    expect(messageId(1n, 0)).toBe('0000000000000001-00000000');
    expect(messageId(2n, 0)).toBe('0000000000000002-00000000');
    expect(messageId(1n, 1)).toBe('0000000000000001-00000001');
  });

  it('sorts lexicographically in commit order, then change order', () => {
    const inOrder = [
      messageId(0xffn, 0),
      messageId(0xffn, 1),
      messageId(0xffn, 0x10),
      messageId(0x100n, 0),
      messageId(0x1_0000_0000n, 2),
      messageId(0x1_0000_0001n, 0),
    ];
    expect([...inOrder].reverse().sort()).toEqual(inOrder);
  });

  it('rejects invalid indexes', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => messageId(1n, bad)).toThrow(RangeError);
  });
});
