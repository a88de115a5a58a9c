import { useEffect, useId, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { intlTimeZone } from './time-zone';

export interface SeriesPoint {
  /** Epoch milliseconds. */
  time: number;
  value: number | null;
}

/** A second line on the same times as `points` (rows read next to rows written), or a limit. */
export interface ExtraSeries {
  label: string;
  /** One value per point of the main series. */
  values: (number | null)[];
  color: string;
  dashed?: boolean;
}

interface TimeSeriesChartProps {
  title: string;
  points: SeriesPoint[];
  format: (value: number) => string;
  /** Shown instead of the chart while there is nothing to draw. */
  emptyText: string;
  color?: string;
  height?: number;
  /**
   * The time axis always spans this window up to now (e.g. "last 15 minutes"), however few
   * points there are: with one or two, uPlot would otherwise stretch them over years.
   */
  windowMs?: number;
  /** Said instead of the latest value when it is not current (the task does not stream). */
  idleText?: string;
  /** Further lines, named in the caption with their latest value. */
  extra?: ExtraSeries[];
}

/**
 * A live line chart (uPlot, canvas). The canvas says nothing to assistive technology, so the
 * caption carries the latest and the peak value as text.
 */
export function TimeSeriesChart({ title, points, format, emptyText, color = '#1f5fbf', height = 170, windowMs, idleText, extra = [] }: TimeSeriesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const formatRef = useRef(format);
  formatRef.current = format;
  const captionId = useId();
  const values = points.filter((p) => p.value !== null) as { time: number; value: number }[];
  const empty = values.length === 0;
  const latest = values.at(-1)?.value;
  const peak = values.reduce((max, p) => Math.max(max, p.value), 0);

  const data: AlignedData = [points.map((p) => p.time / 1000), points.map((p) => p.value), ...extra.map((e) => e.values)];
  const extraKey = extra.map((e) => `${e.label}:${e.color}:${e.dashed ? 1 : 0}`).join('|');
  const extraRef = useRef(extra);
  extraRef.current = extra;
  const windowRef = useRef(windowMs);
  windowRef.current = windowMs;
  const figure = useRef<HTMLElement>(null);

  useEffect(() => {
    const el = container.current;
    if (!el || empty) return;
    // The canvas cannot use CSS variables: the axis colours are read from the theme (light or dark).
    const axis = themeColor(el, '--color-chart-axis', '#5b6675');
    const grid = themeColor(el, '--color-chart-grid', '#eef1f5');
    const options: Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      ...(intlTimeZone() ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') } : {}),
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
      axes: [
        { stroke: axis, grid: { stroke: grid } },
        {
          stroke: axis,
          grid: { stroke: grid },
          values: (_u, ticks) => ticks.map((t) => formatRef.current(t)),
          // Wide enough for the longest label ("976.6 kB/s"), which uPlot would otherwise clip.
          size: (_u, values) => (values?.length ? Math.max(...values.map((v) => String(v).length)) * 7 + 18 : 50),
        },
      ],
      series: [
        {},
        { label: title, stroke: color, width: 2, fill: `${color}1a`, points: { show: false }, spanGaps: false },
        ...extraRef.current.map((e) => ({ label: e.label, stroke: e.color, width: e.dashed ? 1.5 : 2, dash: e.dashed ? [6, 4] : undefined, points: { show: false }, spanGaps: true })),
      ],
    };
    const chart = new uPlot(options, [[], [], ...extraRef.current.map(() => [])], el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [empty, height, title, color, extraKey]);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    chart.setData(data);
    // uPlot sizes the time axis to the data, and one point to a whole day (1000 days for
    // seconds): the axis is the chosen window instead, ending now.
    const span = windowRef.current;
    if (span) {
      const now = Date.now() / 1000;
      const last = data[0].length ? (data[0][data[0].length - 1] as number) : now;
      chart.setScale('x', { min: now - span / 1000, max: Math.max(now, last) });
    }
    // The drawn time axis, for anyone (and any test) that cannot read the canvas.
    const x = chart.scales.x;
    if (figure.current && x.min != null && x.max != null) {
      figure.current.dataset.timeFrom = new Date(x.min * 1000).toISOString();
      figure.current.dataset.timeTo = new Date(x.max * 1000).toISOString();
    }
  });

  return (
    <figure className="chart" aria-labelledby={captionId} ref={figure}>
      <figcaption id={captionId} className="chart__caption">
        <span className="chart__title">{title}</span>
        {!empty && (
          <span className="chart__values">
            {idleText ? <strong>{idleText}</strong> : <>latest <strong>{format(latest ?? 0)}</strong></>}
            <span className="muted"> · peak {format(peak)}</span>
            {extra.map((e) => {
              const last = [...e.values].reverse().find((v) => v !== null);
              return last == null ? null : (
                <span key={e.label} className="muted">
                  {' '}
                  · {e.label} {format(last)}
                </span>
              );
            })}
          </span>
        )}
      </figcaption>
      {empty ? <p className="chart__empty muted">{emptyText}</p> : <div ref={container} className="chart__plot" aria-hidden="true" />}
    </figure>
  );
}

function themeColor(el: HTMLElement, variable: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(variable).trim() || fallback;
}
