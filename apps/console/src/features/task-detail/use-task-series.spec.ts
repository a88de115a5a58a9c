import { describe, expect, it } from 'vitest';
import { rangeOf } from './metrics-range';
import { mergePoints, walRate } from './use-task-series';

describe('throughput sampled from the confirmed position', () => {
  it('is the WAL the position moved through per second; unknown while there is no position', () => {
    const rates = walRate([
      { time: 0, delaySeconds: null, confirmedLsn: null },
      { time: 2000, delaySeconds: 0, confirmedLsn: '0/1000' },
      { time: 4000, delaySeconds: 0, confirmedLsn: '0/3000' },
      { time: 6000, delaySeconds: 0, confirmedLsn: '0/3000' },
    ]);
    expect(rates).toEqual([
      { time: 2000, value: null },
      { time: 4000, value: 0x2000 / 2 },
      { time: 6000, value: 0 },
    ]);
  });
});

describe('metric points of the API and of the live stream', () => {
  it('are merged by time, in order, within the window', () => {
    const p = (time: number, rows: number) => ({
      time,
      delaySeconds: 0,
      rowsPerSecond: rows,
      bytesPerSecond: null,
      rowsReadPerSecond: null,
      bytesReadPerSecond: null,
      confirmedLsn: null,
      retainedWalBytes: null,
      inserts: null,
      updates: null,
      deletes: null,
    });
    const now = 20 * 60_000;
    const merged = mergePoints([p(now - 16 * 60_000, 1), p(now - 2000, 2), p(now - 1000, 3)], [p(now - 1000, 4), p(now, 5)], now);
    expect(merged.map((m) => m.rowsPerSecond)).toEqual([2, 4, 5]);
  });
});

describe('metrics ranges', () => {
  it.each([
    ['1h', 3600_000],
    ['48h', 48 * 3600_000],
    [null, 15 * 60_000],
    ['2h', 15 * 60_000],
  ])('?range=%s spans %i ms', (value, ms) => {
    expect(rangeOf(value).ms).toBe(ms);
  });

  it('merging keeps the points of a longer window', () => {
    const now = 5 * 3600_000;
    const p = { time: now - 3 * 3600_000, delaySeconds: 0, rowsPerSecond: 1, bytesPerSecond: null, rowsReadPerSecond: null, bytesReadPerSecond: null, confirmedLsn: null, retainedWalBytes: null, inserts: null, updates: null, deletes: null };
    expect(mergePoints([p], [], now, 6 * 3600_000)).toHaveLength(1);
    expect(mergePoints([p], [], now)).toHaveLength(0);
  });
});
