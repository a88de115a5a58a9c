/**
 * What a scheduler does with one lease it holds, by how long ago its last renewal (or the
 * acquire) was sent. The lease key expires `ttlMs` after the last renewal Redis applied, and
 * another scheduler may take the task then: a holder that could not renew for most of the TTL
 * (Redis unreachable, a failover that does not end) must kill its worker before that moment,
 * or the task would run twice. A quarter of the TTL is left for the kill to land.
 */
export type LeaseRenewalStep = 'wait' | 'renew' | 'giveUp';

export function leaseRenewalStep(sinceRenewedMs: number, ttlMs: number): LeaseRenewalStep {
  if (sinceRenewedMs >= leaseGiveUpAfterMs(ttlMs)) return 'giveUp';
  return sinceRenewedMs >= leaseRenewEveryMs(ttlMs) ? 'renew' : 'wait';
}

/** A renewal every third of the TTL: two can fail before the lease is in danger. */
export function leaseRenewEveryMs(ttlMs: number): number {
  return Math.floor(ttlMs / 3);
}

export function leaseGiveUpAfterMs(ttlMs: number): number {
  return ttlMs - Math.floor(ttlMs / 4);
}

/** How often the leases are looked at: a failed renewal is retried this soon, and a give-up is never late by more. */
export function leaseCheckEveryMs(ttlMs: number): number {
  return Math.min(1000, Math.floor(ttlMs / 10));
}
