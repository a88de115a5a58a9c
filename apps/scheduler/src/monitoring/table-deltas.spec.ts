import { describe, expect, it } from 'vitest';
import type { WorkerTableCount } from '@walbridge/queue';
import { tableDeltas } from './task-monitor.service';

const count = (table: string, inserts: number, lastChangeAt: number, more: Partial<WorkerTableCount> = {}): WorkerTableCount => ({
  table,
  inserts,
  updates: 0,
  deletes: 0,
  truncates: 0,
  lastChangeAt,
  ...more,
});

describe('tableDeltas: what a stored sample adds to the per-table counters', () => {
  it('adds what each table gained since the last stored sample, once, and skips tables that did not move', () => {
    const watch = { tables: new Map<string, WorkerTableCount>(), tablesStored: new Map<string, WorkerTableCount>() };
    watch.tables.set('shop.a', count('shop.a', 10, 100));
    watch.tables.set('shop.b', count('shop.b', 2, 90, { truncates: 1 }));
    expect(tableDeltas(watch)).toEqual([
      { table: 'shop.a', inserts: 10, updates: 0, deletes: 0, truncates: 0, lastChangeAt: 100 },
      { table: 'shop.b', inserts: 2, updates: 0, deletes: 0, truncates: 1, lastChangeAt: 90 },
    ]);
    expect(tableDeltas(watch)).toEqual([]);
    // The worker's counts are cumulative: a later report of a is 15, so 5 more.
    watch.tables.set('shop.a', count('shop.a', 15, 200, { deletes: 3 }));
    expect(tableDeltas(watch)).toEqual([{ table: 'shop.a', inserts: 5, updates: 0, deletes: 3, truncates: 0, lastChangeAt: 200 }]);
  });
});
