import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs module of the benchmark, no types
import { parseOptions } from './options.mjs';
// @ts-expect-error plain .mjs module of the benchmark, no types
import { figure, formatFigure, median, summarize } from './summary.mjs';

describe('bench options', () => {
  it.each([
    [[], {}, 'end-to-end', 1],
    [['--scenario', 'snapshot'], {}, 'snapshot', 1],
    [['--scenario=snapshot', '--repeat=3'], {}, 'snapshot', 3],
    [[], { WALBRIDGE_BENCH_SCENARIO: 'snapshot', WALBRIDGE_BENCH_REPEAT: '5' }, 'snapshot', 5],
  ])('%j %j -> scenario %s, repeat %d', (argv, env, scenario, repeat) => {
    const options = parseOptions(argv, env);
    expect(options.scenario).toBe(scenario);
    expect(options.repeat).toBe(repeat);
  });

  it('reads rows with separators', () => {
    const options = parseOptions(['--rows', '1,000,000'], {});
    expect(options.rows).toBe(1_000_000);
  });

  it.each([
    [['--scenario', 'nope'], /--scenario must be one of end-to-end, snapshot, many-tasks, control-plane, latency \(got nope\)/],
    [['--many-rate', '5'], /--many-rate must be an integer >= 10/],
    [['--repeat', '0'], /--repeat must be an integer >= 1/],
    [['--bogus'], /unknown argument --bogus/],
  ])('%j is refused naming the option', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(message);
  });
});

describe('bench summary of --repeat runs', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
    [[null, 5, Number.NaN], 5],
    [[], null],
  ])('median of %j is %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  const run = (rowsPerSec: number | null, ratio: number) => ({
    figures: [
      figure('rowsPerSec', 'rows/s', rowsPerSec, { target: { op: '>=', value: 90_000 } }),
      null,
      figure('ratioPct', 'end to end / ceiling', ratio, { unit: '%', digits: 1, target: { op: '>=', value: 60 } }),
    ],
  });

  it('gives the median and min-max of every figure and judges the target on the median', () => {
    const [rows, separator, ratio] = summarize([run(80_000, 70), run(100_000, 50), run(95_000, 61)]);
    expect(rows).toMatchObject({ value: 95_000, min: 80_000, max: 100_000, met: true });
    expect(separator).toBeNull();
    expect(ratio).toMatchObject({ value: 61, min: 50, max: 70, met: true });
    expect(formatFigure(rows)).toBe('95,000  (min–max 80,000–100,000)  [target >= 90,000: MET]');
    expect(formatFigure(ratio)).toBe('61.0 %  (min–max 50.0–70.0)  [target >= 60.0 %: MET]');
  });

  it('skips a run that lacks a figure and says NOT MET below target', () => {
    const [rows] = summarize([run(null, 1), run(50_000, 1), run(60_000, 1)]);
    expect(rows).toMatchObject({ value: 55_000, min: 50_000, max: 60_000, met: false, values: [null, 50_000, 60_000] });
    expect(formatFigure(rows)).toContain('NOT MET');
  });

  it('prints a single run with its detail', () => {
    expect(formatFigure(figure('x', 'x', 1234.5, { unit: 'µs', digits: 1, detail: '(why)' }))).toBe('1,234.5 µs  (why)');
  });
});
