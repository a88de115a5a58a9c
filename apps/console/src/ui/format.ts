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
