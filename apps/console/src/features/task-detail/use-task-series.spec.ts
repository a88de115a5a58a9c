import { describe, expect, it } from 'vitest';
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
    const p = (time: number, rows: number) => ({ time, delaySeconds: 0, rowsPerSecond: rows, bytesPerSecond: null, confirmedLsn: null, retainedWalBytes: null });
    const now = 20 * 60_000;
    const merged = mergePoints([p(now - 16 * 60_000, 1), p(now - 2000, 2), p(now - 1000, 3)], [p(now - 1000, 4), p(now, 5)], now);
    expect(merged.map((m) => m.rowsPerSecond)).toEqual([2, 4, 5]);
  });
});
