import { intlTimeZone, timeZoneChoice, type TimeZoneChoice } from './time-zone';

// One formatter per clock: Intl formatters are costly to build and the list formats hundreds.
const dateTimeFormats = new Map<TimeZoneChoice, Intl.DateTimeFormat>();
const timeFormats = new Map<TimeZoneChoice, Intl.DateTimeFormat>();

function formatter(cache: Map<TimeZoneChoice, Intl.DateTimeFormat>, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const choice = timeZoneChoice();
  let format = cache.get(choice);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, { ...options, timeZone: intlTimeZone(choice) });
    cache.set(choice, format);
  }
  return format;
}

/** " UTC" after a time shown in UTC, so a screenshot or a pasted line says which clock it is. */
function zoneSuffix(): string {
  return timeZoneChoice() === 'UTC' ? ' UTC' : '';
}

const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export const EMPTY_VALUE = '—';

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${formatter(dateTimeFormats, { dateStyle: 'medium', timeStyle: 'short' }).format(date)}${zoneSuffix()}`;
}

export function formatTime(epochMs: number): string {
  return `${formatter(timeFormats, { timeStyle: 'medium' }).format(epochMs)}${zoneSuffix()}`;
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
