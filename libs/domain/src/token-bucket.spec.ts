import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket';

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('token bucket', () => {
  it('allows a second’s worth at once, then refills at the rate', () => {
    const c = clock();
    const b = new TokenBucket(100, c.now);
    expect(b.available()).toBe(100);
    b.take(100);
    expect(b.allows(1)).toBe(false);
    expect(b.msUntil(1)).toBe(10);
    c.advance(10);
    expect(b.allows(1)).toBe(true);
    c.advance(10_000);
    expect(b.available()).toBe(100);
  });

  it('never lets more than the rate through over a long run, whatever the request sizes', () => {
    const c = clock();
    const b = new TokenBucket(50, c.now);
    let sent = 0;
    for (let step = 0; step < 10_000; step++) {
      const want = 1 + (step % 7);
      if (b.allows(want)) {
        b.take(want);
        sent += want;
      } else {
        c.advance(Math.max(1, b.msUntil(want)));
      }
    }
    const seconds = (c.now() - 1000) / 1000;
    // The first second's burst plus the rate afterwards.
    expect(sent).toBeLessThanOrEqual(50 + 50 * seconds + 7);
    expect(sent).toBeGreaterThanOrEqual(50 * seconds - 7);
  });

  it('lets an item larger than the capacity through when the bucket is full, and makes the next ones wait for it', () => {
    const c = clock();
    const b = new TokenBucket(1000, c.now);
    expect(b.allows(5000)).toBe(true);
    b.take(5000);
    expect(b.available()).toBe(-4000);
    expect(b.msUntil(1)).toBe(4001);
    c.advance(4001);
    expect(b.allows(1)).toBe(true);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow();
  });
});
