/**
 * Throughput of a task from the counters its worker reports. A worker counts from zero, so the
 * task's totals are the totals before this worker (the last sample) plus the worker's counters,
 * and stay monotonic across restarts and scheduler failovers (what a Prometheus counter needs).
 */
export interface ThroughputCounters {
  rowsRead: number;
  rowsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  inserts: number;
  updates: number;
  deletes: number;
}

export interface ThroughputRates {
  rowsReadPerSecond: number;
  rowsWrittenPerSecond: number;
  bytesReadPerSecond: number;
  bytesWrittenPerSecond: number;
}

export const COUNTER_NAMES = ['rowsRead', 'rowsWritten', 'bytesRead', 'bytesWritten', 'inserts', 'updates', 'deletes'] as const;

export const ZERO_COUNTERS: ThroughputCounters = { rowsRead: 0, rowsWritten: 0, bytesRead: 0, bytesWritten: 0, inserts: 0, updates: 0, deletes: 0 };

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
