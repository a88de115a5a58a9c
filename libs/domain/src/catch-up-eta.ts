/**
 * Catch-up ETA (issue 15, feature 4): from a task's recent delay (and, when known, the WAL
 * backlog it still has to read) whether it is caught up, catching up and by when, or falling
 * behind. Pure: the console feeds it the samples of its charts.
 */

export interface CatchUpSample {
  /** Epoch milliseconds. */
  at: number;
  delaySeconds: number | null;
  /** WAL still to be read (bytes), if measured; the drain rate comes from how fast it shrinks. */
  backlogBytes?: number | null;
}

export type CatchUpEstimate =
  | { state: 'unknown' }
  | { state: 'caught-up' }
  | { state: 'catching-up'; etaSeconds: number }
  | { state: 'steady'; delaySeconds: number }
  | { state: 'falling-behind'; delaySeconds: number };

export interface CatchUpOptions {
  /** At or below this delay the task counts as caught up. */
  caughtUpSeconds?: number;
  /** Only the samples this recent (ending at the newest) make the trend. */
  windowMs?: number;
  /**
   * Delay trends flatter than this (delay seconds per second) are noise:
   * a delay that moves 1 s per 100 s neither catches up nor falls behind in a way worth saying.
   */
  flatSlope?: number;
}

const DEFAULTS: Required<CatchUpOptions> = { caughtUpSeconds: 5, windowMs: 5 * 60_000, flatSlope: 0.01 };

/** Least-squares slope of value over time (per second); null with fewer than two distinct times. */
export function trendPerSecond(points: { at: number; value: number }[]): number | null {
  if (points.length < 2) return null;
  const t0 = points[0].at;
  const n = points.length;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += (p.at - t0) / 1000;
    sy += p.value;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    const dx = (p.at - t0) / 1000 - mx;
    num += dx * (p.value - my);
    den += dx * dx;
  }
  return den === 0 ? null : num / den;
}

export function estimateCatchUp(samples: CatchUpSample[], options: CatchUpOptions = {}): CatchUpEstimate {
  const { caughtUpSeconds, windowMs, flatSlope } = { ...DEFAULTS, ...options };
  const known = samples.filter((s): s is CatchUpSample & { delaySeconds: number } => s.delaySeconds !== null && Number.isFinite(s.delaySeconds));
  if (!known.length) return { state: 'unknown' };
  const sorted = [...known].sort((a, b) => a.at - b.at);
  const newest = sorted[sorted.length - 1];
  if (newest.delaySeconds <= caughtUpSeconds) return { state: 'caught-up' };
  const recent = sorted.filter((s) => s.at >= newest.at - windowMs);
  const delaySlope = trendPerSecond(recent.map((s) => ({ at: s.at, value: s.delaySeconds })));
  // The backlog's drain rate, when measured: bytes left over bytes drained per second.
  const backlog = recent.filter((s): s is CatchUpSample & { delaySeconds: number; backlogBytes: number } => typeof s.backlogBytes === 'number');
  const backlogSlope = trendPerSecond(backlog.map((s) => ({ at: s.at, value: s.backlogBytes })));
  const backlogNow = backlog.at(-1)?.backlogBytes ?? 0;
  // A drain counts when the window saw more than 1 % of the backlog go (below that: measuring noise).
  const backlogSpanSeconds = backlog.length > 1 ? (backlog[backlog.length - 1].at - backlog[0].at) / 1000 : 0;
  const draining = backlogSlope !== null && backlogSlope < 0 && -backlogSlope * backlogSpanSeconds > 0.01 * backlogNow;
  const backlogEta = draining && backlogNow > 0 ? backlogNow / -backlogSlope! : null;
  if (delaySlope !== null && delaySlope < -flatSlope) {
    const delayEta = newest.delaySeconds / -delaySlope;
    // Both measured: the slower drain decides (the task is caught up only when both are).
    return { state: 'catching-up', etaSeconds: Math.round(backlogEta === null ? delayEta : Math.max(delayEta, backlogEta)) };
  }
  if (delaySlope !== null && delaySlope > flatSlope) return { state: 'falling-behind', delaySeconds: newest.delaySeconds };
  if (backlogEta !== null) return { state: 'catching-up', etaSeconds: Math.round(backlogEta) };
  if (delaySlope === null) return { state: 'unknown' };
  return { state: 'steady', delaySeconds: newest.delaySeconds };
}
