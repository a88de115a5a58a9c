import { describe, expect, it } from 'vitest';
import { leaseCheckEveryMs, leaseGiveUpAfterMs, leaseRenewalStep } from './lease-renewal';

describe('leaseRenewalStep', () => {
  it.each([
    { since: 0, ttl: 15_000, step: 'wait' },
    { since: 4_999, ttl: 15_000, step: 'wait' },
    { since: 5_000, ttl: 15_000, step: 'renew' },
    // Renewals failed (Redis unreachable): retried at every check until most of the TTL is gone.
    { since: 11_249, ttl: 15_000, step: 'renew' },
    { since: 11_250, ttl: 15_000, step: 'giveUp' },
    { since: 60_000, ttl: 15_000, step: 'giveUp' },
    { since: 333, ttl: 1_000, step: 'renew' },
    { since: 750, ttl: 1_000, step: 'giveUp' },
  ] as const)('$since ms after the last renewal of a $ttl ms lease: $step', ({ since, ttl, step }) => {
    expect(leaseRenewalStep(since, ttl)).toBe(step);
  });

  it.each([1_000, 15_000, 60_000])('gives up before a %i ms lease can expire, even when the check comes late', (ttl) => {
    expect(leaseGiveUpAfterMs(ttl) + leaseCheckEveryMs(ttl)).toBeLessThan(ttl);
  });
});
