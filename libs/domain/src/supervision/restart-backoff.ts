/** Exponential restart delay with jitter, so that many crashed workers do not restart in step. */
export function restartDelayMs(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}
