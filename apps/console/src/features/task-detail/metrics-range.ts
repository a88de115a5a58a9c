/**
 * The task page's metrics ranges (issue 15 feature 4), kept in the URL as `?range=1h` so a link
 * shows the same window. Each asks the API for at most MAX_POINTS points: 15 minutes come as the
 * stored 10 s samples, 48 hours in buckets of ~10 minutes.
 */
export const METRICS_RANGES = [
  { id: '15m', label: '15 min', text: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: '1 h', text: 'Last hour', ms: 3600_000 },
  { id: '6h', label: '6 h', text: 'Last 6 hours', ms: 6 * 3600_000 },
  { id: '24h', label: '24 h', text: 'Last 24 hours', ms: 24 * 3600_000 },
  { id: '48h', label: '48 h', text: 'Last 48 hours', ms: 48 * 3600_000 },
] as const;

export type MetricsRange = (typeof METRICS_RANGES)[number];
export type MetricsRangeId = MetricsRange['id'];

export const DEFAULT_RANGE: MetricsRange = METRICS_RANGES[0];
export const MAX_POINTS = 300;
/** Live one-second samples are drawn into ranges up to this long; longer ones refresh from the API. */
export const LIVE_RANGE_MAX_MS = 3600_000;

/** The range a `?range=` value names; an unknown or missing one is the default. */
export function rangeOf(value: string | null): MetricsRange {
  return METRICS_RANGES.find((r) => r.id === value) ?? DEFAULT_RANGE;
}
