import { describe, expect, it } from 'vitest';
import { estimateCatchUp, trendPerSecond, type CatchUpEstimate, type CatchUpSample } from './catch-up-eta';

const T0 = Date.parse('2026-12-04T01:00:00Z');
/** Samples every 10 s with the given delays (and backlogs). */
const series = (delays: (number | null)[], backlogs?: (number | null)[]): CatchUpSample[] =>
  delays.map((d, i) => ({ at: T0 + i * 10_000, delaySeconds: d, backlogBytes: backlogs?.[i] }));

describe('estimateCatchUp', () => {
  const cases: { name: string; samples: CatchUpSample[]; expected: CatchUpEstimate }[] = [
    { name: 'no samples', samples: [], expected: { state: 'unknown' } },
    { name: 'only unknown delays', samples: series([null, null]), expected: { state: 'unknown' } },
    { name: 'newest delay within the caught-up margin', samples: series([120, 60, 3]), expected: { state: 'caught-up' } },
    { name: 'one sample above the margin: no trend yet', samples: series([40]), expected: { state: 'unknown' } },
    // 180 → 120 in 30 s: -2 s per s; 120 s left at that pace is 60 s.
    { name: 'delay shrinking steadily', samples: series([180, 160, 140, 120]), expected: { state: 'catching-up', etaSeconds: 60 } },
    { name: 'delay growing', samples: series([10, 20, 30, 40]), expected: { state: 'falling-behind', delaySeconds: 40 } },
    {
      name: 'backlog shrinking by less than 1 % in the window is noise',
      samples: series([30, 30, 30, 30], [1_000_000, 999_000, 998_000, 997_000]),
      expected: { state: 'steady', delaySeconds: 30 },
    },
    { name: 'delay flat above the margin', samples: series([40, 40.01, 40, 40.02]), expected: { state: 'steady', delaySeconds: 40.02 } },
    // Delay flat, backlog 3 MB draining 100 kB/s → 30 s.
    {
      name: 'delay flat, backlog draining: the backlog decides',
      samples: series([30, 30, 30, 30], [6_000_000, 5_000_000, 4_000_000, 3_000_000]),
      expected: { state: 'catching-up', etaSeconds: 30 },
    },
    // Delay says 60 s, the backlog (1 MB at 10 kB/s) 100 s: the slower drain.
    {
      name: 'both draining: the slower one',
      samples: series([180, 160, 140, 120], [1_300_000, 1_200_000, 1_100_000, 1_000_000]),
      expected: { state: 'catching-up', etaSeconds: 100 },
    },
    {
      name: 'samples older than the window do not bend the trend',
      samples: [{ at: T0 - 3600_000, delaySeconds: 5000 }, ...series([10, 20, 30, 40])],
      expected: { state: 'falling-behind', delaySeconds: 40 },
    },
    { name: 'out of order samples are sorted first', samples: series([180, 160, 140, 120]).reverse(), expected: { state: 'catching-up', etaSeconds: 60 } },
  ];
  it.each(cases)('$name', ({ samples, expected }) => {
    expect(estimateCatchUp(samples)).toEqual(expected);
  });
});

describe('trendPerSecond', () => {
  it.each([
    { points: [], expected: null },
    { points: [{ at: T0, value: 1 }], expected: null },
    { points: [{ at: T0, value: 1 }, { at: T0, value: 5 }], expected: null },
    { points: [{ at: T0, value: 0 }, { at: T0 + 2000, value: 4 }], expected: 2 },
  ])('slope of $points.length points', ({ points, expected }) => {
    expect(trendPerSecond(points)).toBe(expected);
  });
});
