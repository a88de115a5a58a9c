import { describe, expect, it } from 'vitest';
import { TableCounters } from './table-counters';

describe('TableCounters', () => {
  it('counts per table and operation, keeps the latest commit time, reports only tables that moved', () => {
    const counters = new TableCounters();
    const orders = counters.entry('shop.orders');
    const items = counters.entry('shop.items');
    expect(counters.entry('shop.orders')).toBe(orders);
    counters.count(orders, 'INSERT', 1000);
    counters.count(orders, 'INSERT', 3000);
    counters.count(orders, 'UPDATE', 2000);
    counters.count(items, 'DELETE', 1500);
    counters.count(items, 'TRUNCATE', 1600);
    expect(counters.takeChanged()).toEqual([
      { table: 'shop.orders', inserts: 2, updates: 1, deletes: 0, truncates: 0, lastChangeAt: 3000 },
      { table: 'shop.items', inserts: 0, updates: 0, deletes: 1, truncates: 1, lastChangeAt: 1600 },
    ]);
    expect(counters.takeChanged()).toEqual([]);
    counters.count(items, 'INSERT', 4000);
    // Cumulative since the worker started; a copy, so later counts do not change what was reported.
    const [report] = counters.takeChanged();
    expect(report).toEqual({ table: 'shop.items', inserts: 1, updates: 0, deletes: 1, truncates: 1, lastChangeAt: 4000 });
    counters.count(items, 'INSERT', 5000);
    expect(report.inserts).toBe(1);
  });
});
