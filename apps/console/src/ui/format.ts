const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export const EMPTY_VALUE = '—';

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

export function formatTime(epochMs: number): string {
  return timeFormat.format(epochMs);
}

export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

const decimalFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatDecimal(value: number): string {
  return decimalFormat.format(value);
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 kB" (powers of 1024, as PostgreSQL's pg_size_pretty). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? formatInteger(value) : decimalFormat.format(value)} ${BYTE_UNITS[unit]}`;
}

/** "3 min ago", "in 2 h": for timestamps near now. */
export function formatRelative(iso: string, now = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return iso;
  const abs = Math.abs(ms);
  const [value, unit] =
    abs < 60_000 ? [Math.round(abs / 1000), 's'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 86_400_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'd'];
  return ms < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}
