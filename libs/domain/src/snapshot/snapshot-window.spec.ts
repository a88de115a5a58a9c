import { describe, expect, it } from 'vitest';
import { SnapshotWindow, estimateChunks, nextChunkSize, parseWatermark, rowsWithinBytes } from './snapshot-window';
import { snapshotMessageId } from './snapshot-message-id';

const rows = [
  { k: '1', v: 'a' },
  { k: '2', v: 'b' },
  { k: '3', v: 'c' },
  { k: '4', v: 'c' },
];
const keyOf = (r: { k: string }) => r.k;

describe('SnapshotWindow', () => {
  const cases: { name: string; xip: number[]; committed: number[]; before?: string[]; inside: string[]; expected: string[] }[] = [
    { name: 'nothing changed in the window: every row is sent', xip: [], committed: [], inside: [], expected: ['1', '2', '3', '4'] },
    { name: 'keys changed in the window are dropped (UPDATE, DELETE)', xip: [], committed: [], inside: ['2', '4'], expected: ['1', '3'] },
    { name: 'keys changed before the low watermark are kept (the chunk is newer)', xip: [], committed: [], before: ['1', '2'], inside: [], expected: ['1', '2', '3', '4'] },
    { name: 'keys outside the chunk change nothing', xip: [], committed: [], inside: ['9'], expected: ['1', '2', '3', '4'] },
    { name: 'a transaction running at the snapshot committed before the low watermark: read again', xip: [700, 701], committed: [701], inside: [], expected: [] },
    { name: 'a transaction running at the snapshot committing later is handled by the window', xip: [700], committed: [699], inside: ['3'], expected: ['1', '2', '4'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const w = new SnapshotWindow();
      for (const k of c.before ?? []) w.keyChanged(k);
      w.open();
      for (const k of c.inside) w.keyChanged(k);
      w.close(new Set(c.xip), (xid) => c.committed.includes(xid));
      expect(w.remaining(rows, keyOf).map(keyOf)).toEqual(c.expected);
      expect(w.mustReread).toBe(c.expected.length === 0 && c.xip.length > 0);
    });
  }

  it('is read again when the table is truncated inside the window, not before it', () => {
    const before = new SnapshotWindow();
    before.truncated();
    before.open();
    expect(before.remaining(rows, keyOf)).toHaveLength(4);
    const inside = new SnapshotWindow();
    inside.open();
    inside.truncated();
    expect(inside.mustReread).toBe(true);
    expect(inside.remaining(rows, keyOf)).toEqual([]);
  });

  it('drops one row per old image for a table without a key', () => {
    const w = new SnapshotWindow();
    w.open();
    w.rowChanged('c');
    const left = w.remaining(rows, () => '', (r) => r.v);
    expect(left.map(keyOf)).toEqual(['1', '2', '4']);
  });
});

describe('nextChunkSize', () => {
  const table: [number, number, number, number][] = [
    // current, elapsedMs, target 500 → expected (min 100, max 50000)
    [1000, 500, 500, 1000],
    [1000, 250, 500, 2000],
    [1000, 10, 500, 2000], // at most doubles
    [1000, 5000, 500, 500], // at most halves
    [120, 5000, 500, 100], // never below min
    [40000, 10, 500, 50000], // never above max
    [1000, 0, 500, 2000],
  ];
  for (const [current, elapsed, target, expected] of table) {
    it(`${current} rows in ${elapsed} ms → ${expected}`, () => expect(nextChunkSize(current, elapsed, target, 100, 50_000)).toBe(expected));
  }
});

describe('rowsWithinBytes', () => {
  const table: [number, number, number][] = [
    [100, 8_000_000, 80_000],
    [5_000_000, 8_000_000, 1], // 5 MB rows: one at a time
    [20_000_000, 8_000_000, 1], // never zero
    [0, 8_000_000, 8_000_000],
  ];
  for (const [perRow, budget, expected] of table) {
    it(`${perRow} bytes a row within ${budget} → ${expected}`, () => expect(rowsWithinBytes(perRow, budget)).toBe(expected));
  }
});

describe('estimateChunks', () => {
  it('counts what is left at the current size, and the done chunks once done', () => {
    expect(estimateChunks(10_000, 2_000, 2, 1_000, false)).toBe(10);
    expect(estimateChunks(0, 0, 0, 1_000, false)).toBe(1);
    expect(estimateChunks(100, 5_000, 6, 1_000, false)).toBe(7);
    expect(estimateChunks(10_000, 10_000, 9, 1_000, true)).toBe(9);
  });
});

describe('snapshot ids and watermarks', () => {
  it('gives the same id for the same backfill, table and key, and another for any other', () => {
    const id = snapshotMessageId('0b9f3c1e-1111-4222-8333-944445555666', 'public.t', '["1"]');
    expect(id).toMatch(/^snapshot-0b9f3c1e1111-[0-9a-f]{16}$/);
    expect(snapshotMessageId('0b9f3c1e-1111-4222-8333-944445555666', 'public.t', '["1"]')).toBe(id);
    expect(snapshotMessageId('0b9f3c1e-1111-4222-8333-944445555666', 'public.t', '["2"]')).not.toBe(id);
    expect(snapshotMessageId('0b9f3c1e-1111-4222-8333-944445555666', 'public.u', '["1"]')).not.toBe(id);
    expect(snapshotMessageId('1b9f3c1e-1111-4222-8333-944445555666', 'public.t', '["1"]')).not.toBe(id);
  });

  it('reads only well-formed watermarks', () => {
    expect(parseWatermark('{"w":"l","c":"r:1"}')).toEqual({ w: 'l', c: 'r:1' });
    expect(parseWatermark('2026-01-01')).toBeNull();
    expect(parseWatermark('{"w":"x","c":"r"}')).toBeNull();
  });
});
