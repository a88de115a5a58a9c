import { describe, expect, it } from 'vitest';
import { ZERO_COUNTERS, addCounters, ratesBetween } from './task-metrics';

describe('task throughput', () => {
  it('adds a worker’s counters to the totals before it, so totals survive a worker restart', () => {
    const before = { ...ZERO_COUNTERS, rowsRead: 1000, rowsWritten: 990, inserts: 700 };
    expect(addCounters(before, { rowsRead: 10, rowsWritten: 20, inserts: 5 })).toMatchObject({ rowsRead: 1010, rowsWritten: 1010, inserts: 705, deletes: 0 });
    expect(addCounters(before, { rowsRead: -5, bytesRead: Number.NaN })).toMatchObject({ rowsRead: 1000, bytesRead: 0 });
  });

  it('computes per-second rates between two readings, never negative', () => {
    const a = { at: 10_000, totals: { ...ZERO_COUNTERS, rowsRead: 100, rowsWritten: 100, bytesWritten: 1000 } };
    const b = { at: 12_000, totals: { ...ZERO_COUNTERS, rowsRead: 300, rowsWritten: 50, bytesWritten: 5000 } };
    expect(ratesBetween(a, b)).toEqual({ rowsReadPerSecond: 100, rowsWrittenPerSecond: 0, bytesReadPerSecond: 0, bytesWrittenPerSecond: 2000 });
    expect(ratesBetween(b, { ...b })).toEqual({ rowsReadPerSecond: 0, rowsWrittenPerSecond: 0, bytesReadPerSecond: 0, bytesWrittenPerSecond: 0 });
  });
});
