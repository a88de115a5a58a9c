import { describe, expect, it } from 'vitest';
import { restartDelayMs } from './restart-backoff';

describe('restartDelayMs', () => {
  const noJitter = () => 0.5;

  it('doubles from the minimum and stops at the maximum', () => {
    expect([0, 1, 2, 3, 10].map((a) => restartDelayMs(a, 1000, 30000, noJitter))).toEqual([1000, 2000, 4000, 8000, 30000]);
  });

  it('spreads restarts by at most 20% either way', () => {
    expect(restartDelayMs(0, 1000, 30000, () => 0)).toBe(800);
    expect(restartDelayMs(0, 1000, 30000, () => 1)).toBe(1200);
  });
});
