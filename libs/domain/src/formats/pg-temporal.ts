/**
 * PostgreSQL date/time output text (DateStyle ISO, IntervalStyle postgres: what the replication
 * connection uses) turned into the numbers and ISO-8601 strings other wire formats carry.
 * Dates are proleptic Gregorian like PostgreSQL's; BC years become astronomical years (1 BC = 0).
 * Micros are BigInt: 294276 AD is past Number's exact range.
 */

export class TemporalTextError extends Error {
  override readonly name = 'TemporalTextError';
}

const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (inverse of daysFromCivil). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export type Infinite = 'infinity' | '-infinity';

const DATE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/;

export interface ParsedDate {
  year: number; // astronomical
  month: number;
  day: number;
}

export function parseDate(text: string): ParsedDate | Infinite {
  if (text === 'infinity' || text === '-infinity') return text;
  const m = DATE.exec(text);
  if (!m) throw new TemporalTextError(`not a PostgreSQL ISO date: ${JSON.stringify(text)}`);
  const y = Number(m[1]);
  return { year: m[4] ? 1 - y : y, month: Number(m[2]), day: Number(m[3]) };
}

/** Micros since midnight of 'HH:MM:SS[.ffffff]' (24:00:00 is 86400000000). */
export function parseTimeMicros(text: string): bigint {
  const m = TIME.exec(text);
  if (!m) throw new TemporalTextError(`not a PostgreSQL time: ${JSON.stringify(text)}`);
  const frac = (m[4] ?? '').padEnd(6, '0');
  return ((BigInt(m[1]) * 60n + BigInt(m[2])) * 60n + BigInt(m[3])) * 1_000_000n + BigInt(frac);
}

/** Seconds east of UTC of '+05:30', '-12', '+00:53:28'. */
function parseOffsetSeconds(text: string): number {
  const m = OFFSET.exec(text);
  if (!m) throw new TemporalTextError(`not a UTC offset: ${JSON.stringify(text)}`);
  const s = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -s : s;
}

/** Splits 'HH:MM:SS.ffffff+05:30' into time and offset. */
function splitOffset(text: string): [string, number] {
  const i = text.search(/[+-]/);
  if (i < 0) throw new TemporalTextError(`time without UTC offset: ${JSON.stringify(text)}`);
  return [text.slice(0, i), parseOffsetSeconds(text.slice(i))];
}

export function dateEpochDays(text: string): number | Infinite {
  const d = parseDate(text);
  return typeof d === 'string' ? d : daysFromCivil(d.year, d.month, d.day);
}

/** Epoch micros of a timestamp or timestamptz text (a timestamptz's offset is applied). */
export function timestampEpochMicros(text: string, withZone: boolean): bigint | Infinite {
  if (text === 'infinity' || text === '-infinity') return text;
  const bc = text.endsWith(' BC');
  const body = bc ? text.slice(0, -3) : text;
  const sp = body.indexOf(' ');
  if (sp < 0) throw new TemporalTextError(`not a PostgreSQL ISO timestamp: ${JSON.stringify(text)}`);
  const date = parseDate(body.slice(0, sp) + (bc ? ' BC' : ''));
  if (typeof date === 'string') throw new TemporalTextError(`not a PostgreSQL ISO timestamp: ${JSON.stringify(text)}`);
  let time = body.slice(sp + 1);
  let offset = 0;
  if (withZone) [time, offset] = splitOffset(time);
  const days = BigInt(daysFromCivil(date.year, date.month, date.day));
  return days * MICROS_PER_DAY + parseTimeMicros(time) - BigInt(offset) * 1_000_000n;
}

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

/** ISO-8601 year: four digits within 0000-9999, else signed (what java.time parses). */
function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4);
  return (year < 0 ? '-' : '+') + pad(Math.abs(year), 4);
}

export function isoDate(days: number): string {
  const d = civilFromDays(days);
  return `${isoYear(d.year)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** 'HH:MM:SS' plus the fraction's significant digits, if any. */
export function isoTime(micros: bigint): string {
  const us = micros % 1_000_000n;
  const s = micros / 1_000_000n;
  let out = `${pad(s / 3600n, 2)}:${pad((s / 60n) % 60n, 2)}:${pad(s % 60n, 2)}`;
  if (us !== 0n) out += '.' + pad(us, 6).replace(/0+$/, '');
  return out;
}

/** 'YYYY-MM-DDTHH:MM:SS[.f]' of epoch micros (UTC). */
export function isoDateTime(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  return `${isoDate(Number(days))}T${isoTime(rest)}`;
}

/** A timetz as UTC: micros since midnight, wrapped into one day (Debezium's ZonedTime). */
export function timeTzUtcMicros(text: string): bigint {
  const [time, offset] = splitOffset(text);
  let us = parseTimeMicros(time) - BigInt(offset) * 1_000_000n;
  us %= MICROS_PER_DAY;
  if (us < 0n) us += MICROS_PER_DAY;
  return us;
}

export interface IntervalParts {
  months: number;
  days: number;
  micros: bigint;
}

const INTERVAL_TIME = /^([+-]?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;
const INTERVAL_UNIT = /^(-?\d+) (years?|mons?|days?)$/;

/** '1 year 2 mons -3 days +04:05:06.789', '178000000 years', '00:00:00' (IntervalStyle postgres). */
export function parseInterval(text: string): IntervalParts {
  const parts: IntervalParts = { months: 0, days: 0, micros: 0n };
  const tokens = text.split(' ');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const hms = INTERVAL_TIME.exec(t);
    if (hms) {
      const us = ((BigInt(hms[2]) * 60n + BigInt(hms[3])) * 60n + BigInt(hms[4])) * 1_000_000n + BigInt((hms[5] ?? '').padEnd(6, '0'));
      parts.micros += hms[1] === '-' ? -us : us;
      continue;
    }
    const m = INTERVAL_UNIT.exec(`${t} ${tokens[i + 1] ?? ''}`);
    if (!m) throw new TemporalTextError(`not a PostgreSQL interval: ${JSON.stringify(text)}`);
    i++;
    const n = Number(m[1]);
    if (m[2].startsWith('year')) parts.months += n * 12;
    else if (m[2].startsWith('mon')) parts.months += n;
    else parts.days += n;
  }
  return parts;
}

/** Debezium's MicroDuration: a month is 365.25 / 12 days. */
export function intervalMicros(p: IntervalParts): bigint {
  const days = p.months * (365.25 / 12) + p.days;
  // Whole micros of the day part (exact: days * 86400e6 fits a double's integers below ~1e15 days).
  return BigInt(Math.round(days * 86_400_000_000)) + p.micros;
}

/** ISO-8601 duration, like Debezium's interval.handling.mode=string ('P1Y2M3DT4H5M6.789S'). */
export function intervalIso(p: IntervalParts): string {
  const years = Math.trunc(p.months / 12);
  const months = p.months % 12;
  const neg = p.micros < 0n;
  const abs = neg ? -p.micros : p.micros;
  const h = abs / 3_600_000_000n;
  const min = (abs / 60_000_000n) % 60n;
  const us = abs % 60_000_000n;
  const sign = neg ? '-' : '';
  let sec = String(us / 1_000_000n);
  const frac = us % 1_000_000n;
  if (frac !== 0n) sec += '.' + pad(frac, 6).replace(/0+$/, '');
  return `P${years}Y${months}M${p.days}DT${sign}${h}H${sign}${min}M${sign}${sec}S`;
}
