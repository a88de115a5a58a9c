import { describe, expect, it } from 'vitest';
import type { SnapshotTableView, TaskSnapshotView } from '@walbridge/contracts';
import { formatEta, overallPercent, tablePercent } from './snapshot-progress';

const table = (t: Partial<SnapshotTableView>): SnapshotTableView => ({ schema: 'shop', table: 't', state: 'running', rowsEstimated: 0, rowsSent: 0, chunksDone: 0, chunksTotal: 0, ...t });
const snapshot = (tables: SnapshotTableView[], status: TaskSnapshotView['status'] = 'running'): TaskSnapshotView => ({ status, tables, rowsPerSecond: 0, etaSeconds: null });

describe('full synchronization progress', () => {
  it.each([
    ['half of the estimate sent', table({ rowsEstimated: 1000, rowsSent: 500 }), 50],
    ['more sent than estimated, still reading: never 100 before done', table({ rowsEstimated: 1000, rowsSent: 1500 }), 99],
    ['no estimate (never analyzed): by chunks', table({ chunksDone: 1, chunksTotal: 4 }), 25],
    ['nothing known yet', table({}), 0],
    ['done, whatever the estimate said', table({ state: 'done', rowsEstimated: 1000, rowsSent: 10 }), 100],
  ])('%s → %i %%', (_what, t, percent) => {
    expect(tablePercent(t)).toBe(percent);
  });

  it('weights tables by their rows, and reaches 100 only when every table is done', () => {
    const big = table({ table: 'big', rowsEstimated: 9000, rowsSent: 9000 });
    const small = table({ table: 'small', rowsEstimated: 1000, rowsSent: 0 });
    expect(overallPercent(snapshot([big, small]))).toBe(89);
    expect(overallPercent(snapshot([{ ...big, state: 'done' }, { ...small, state: 'done' }]))).toBe(100);
    expect(overallPercent(snapshot([big, small], 'completed'))).toBe(100);
    expect(overallPercent(snapshot([]))).toBe(0);
  });

  it('says the ETA in words', () => {
    expect(formatEta(null)).toBe('unknown');
    expect(formatEta(0.2)).toBe('1 s');
    expect(formatEta(125)).toBe('about 2 min');
    expect(formatEta(5400)).toBe('about 1.5 h');
  });
});
