import { COUNTER_NAMES, type ThroughputCounters } from '@walbridge/vocabulary';

/**
 * Throughput of a task from the counters its worker reports. A worker counts from zero, so the
 * task's totals are the totals before this worker (the last sample) plus the worker's counters,
 * and stay monotonic across restarts and scheduler failovers (what a Prometheus counter needs).
 */
export type { ThroughputCounters };
export { COUNTER_NAMES };

export interface ThroughputRates {
  rowsReadPerSecond: number;
  rowsWrittenPerSecond: number;
  bytesReadPerSecond: number;
  bytesWrittenPerSecond: number;
}

export const ZERO_COUNTERS: ThroughputCounters = Object.fromEntries(COUNTER_NAMES.map((name) => [name, 0])) as ThroughputCounters;

export function addCounters(base: ThroughputCounters, worker: Partial<ThroughputCounters>): ThroughputCounters {
  const out = { ...base };
  for (const name of COUNTER_NAMES) out[name] = base[name] + Math.max(0, Number(worker[name] ?? 0) || 0);
  return out;
}

/** Per-second rates between two readings of the totals; 0 when no time passed or a total went back. */
export function ratesBetween(previous: { at: number; totals: ThroughputCounters }, next: { at: number; totals: ThroughputCounters }): ThroughputRates {
  const seconds = (next.at - previous.at) / 1000;
  const per = (name: keyof ThroughputCounters) => (seconds > 0 ? Math.max(0, next.totals[name] - previous.totals[name]) / seconds : 0);
  return {
    rowsReadPerSecond: per('rowsRead'),
    rowsWrittenPerSecond: per('rowsWritten'),
    bytesReadPerSecond: per('bytesRead'),
    bytesWrittenPerSecond: per('bytesWritten'),
  };
}
