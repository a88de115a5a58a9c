import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs module of the benchmark, no types
import { pacedLoaderSql, percentiles } from './latency.mjs';
// @ts-expect-error plain .mjs module of the benchmark, no types
import { parseOptions } from './options.mjs';

describe('latency percentiles', () => {
  it('takes the nearest-rank percentiles of the latencies', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentiles(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentiles([7])).toEqual({ count: 1, p50: 7, p95: 7, p99: 7, max: 7 });
    expect(percentiles([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });
});

describe('paced loader', () => {
  /** The ids loader k inserts, read back from its SQL (first id, step, count). */
  const ids = (sql: string | null) => {
    if (!sql) return [];
    const count = Number(/FOR i IN 0\.\.(\d+) LOOP/.exec(sql)![1]) + 1;
    const [, first, step] = /VALUES \((\d+) \+ i::bigint \* (\d+),/.exec(sql)!.map(Number);
    return Array.from({ length: count }, (_, i) => first + i * step);
  };

  it('splits the ids between the loaders exactly once, each paced at its share of the rate', () => {
    const sqls = [0, 1, 2].map((k) => pacedLoaderSql({ table: 'shop.t', rows: 10, rate: 3000, loaders: 3, k, firstId: 101 }));
    expect(sqls.flatMap(ids).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 101 + i));
    expect(sqls[0]).toContain('i / 1000::float8');
    expect(sqls[0]).toContain('COMMIT;');
  });

  it('gives a loader without rows nothing to run', () => {
    expect(pacedLoaderSql({ table: 'shop.t', rows: 2, rate: 10, loaders: 3, k: 2 })).toBeNull();
  });

  it('reads --rate, --seconds and --big-tx-rows (0 leaves the big transaction out)', () => {
    expect(parseOptions(['--scenario', 'latency', '--rate', '25000', '--big-tx-rows', '0'], {})).toMatchObject({ scenario: 'latency', rate: 25_000, seconds: 60, bigTxRows: 0 });
  });
});
