/**
 * PostgreSQL values as the filter evaluator sees them: the exact text PostgreSQL sends
 * (DateStyle ISO), turned into something comparable without losing precision. Numbers are
 * compared as decimal strings (numeric and int8 never pass through a JS number), timestamps as
 * microseconds in a bigint, text in code point order (the "C" collation).
 */

/**
 * How a column's values compare. `other` types (json, arrays, geometric, network, ...) can only
 * be tested with IS [NOT] NULL: their text is not their value's identity.
 */
export type ValueKind =
  | 'decimal'
  | 'float4'
  | 'float8'
  | 'boolean'
  | 'text'
  | 'bpchar'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'time'
  | 'uuid'
  | 'enum'
  | 'other';

/** What the source catalog says about a column, enough to pick its ValueKind. */
export interface ColumnTypeFacts {
  /** format_type() of the base type without modifiers (a domain's base type), e.g. 'numeric', 'character varying'. */
  baseType: string;
  /** pg_type.typtype of the base type: b base, e enum, c composite, r range, ... */
  typtype: string;
  /** False for a nondeterministic collation: equality is then not byte equality. */
  collationDeterministic: boolean;
}

const BY_BASE_TYPE: Record<string, ValueKind> = {
  smallint: 'decimal',
  integer: 'decimal',
  bigint: 'decimal',
  numeric: 'decimal',
  real: 'float4',
  'double precision': 'float8',
  boolean: 'boolean',
  text: 'text',
  'character varying': 'text',
  name: 'text',
  character: 'bpchar',
  date: 'date',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
  uuid: 'uuid',
};

export function valueKindOf(facts: ColumnTypeFacts): ValueKind {
  if (facts.typtype === 'e') return 'enum';
  const kind = BY_BASE_TYPE[facts.baseType] ?? 'other';
  if ((kind === 'text' || kind === 'bpchar') && !facts.collationDeterministic) return 'other';
  return kind;
}

/** The SQL type a literal is cast to when a condition is written as SQL (see rowFilterToSql). */
export const SQL_TYPE_OF_KIND: Record<Exclude<ValueKind, 'enum' | 'other'>, string> = {
  decimal: 'numeric',
  float4: 'real',
  float8: 'double precision',
  boolean: 'boolean',
  text: 'text',
  bpchar: 'bpchar',
  date: 'date',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
  uuid: 'uuid',
};

// ------------------------------------------------------------------------------------------------
// decimal (smallint, integer, bigint, numeric): exact
// ------------------------------------------------------------------------------------------------

/**
 * A decimal as sign and digits: `int` without leading zeros, `frac` without trailing zeros;
 * NaN and ±Infinity (numeric has them since PostgreSQL 14; NaN since ever) are flagged.
 */
export interface Decimal {
  special: 0 | 1 | -1 | 2; // 0 finite, 1 +Infinity, -1 -Infinity, 2 NaN
  sign: -1 | 0 | 1;
  int: string;
  frac: string;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** Literal exponents beyond this are refused rather than expanded into huge digit strings. */
const MAX_EXPONENT = 1000;

/** Parses numeric text (PostgreSQL's output, or a literal); null when it is not a number. */
export function parseDecimal(text: string): Decimal | null {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan') return { special: 2, sign: 0, int: '', frac: '' };
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return { special: 1, sign: 1, int: '', frac: '' };
  if (lower === '-infinity' || lower === '-inf') return { special: -1, sign: -1, int: '', frac: '' };
  const m = DECIMAL_TEXT.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  let digits = m[2] + (m[3] ?? '');
  let point = m[2].length;
  if (m[4] !== undefined) {
    const exp = Number(m[4]);
    if (Math.abs(exp) > MAX_EXPONENT) return null;
    point += exp;
  }
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits += '0'.repeat(point - digits.length);
  }
  const int = digits.slice(0, point).replace(/^0+/, '');
  const frac = digits.slice(point).replace(/0+$/, '');
  const zero = int === '' && frac === '';
  return { special: 0, sign: zero ? 0 : m[1] === '-' ? -1 : 1, int, frac };
}

function compareMagnitude(a: Decimal, b: Decimal): number {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  if (a.frac === b.frac) return 0;
  // Trailing zeros are stripped, so a longer fraction with the same prefix is larger.
  return a.frac < b.frac ? -1 : 1;
}

/** PostgreSQL's numeric order: NaN equals NaN and sorts above everything, Infinity above any number. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.special === 2 || b.special === 2) return a.special === b.special ? 0 : a.special === 2 ? 1 : -1;
  if (a.special !== 0 || b.special !== 0) {
    const ra = a.special === 0 ? 0 : a.special;
    const rb = b.special === 0 ? 0 : b.special;
    if (ra !== rb) return ra < rb ? -1 : 1;
    if (ra !== 0) return 0;
  }
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  const m = compareMagnitude(a, b);
  return m === 0 ? 0 : a.sign * m;
}

// ------------------------------------------------------------------------------------------------
// floats
// ------------------------------------------------------------------------------------------------

const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** float4/float8 input as PostgreSQL accepts it (decimal, exponent, NaN, Infinity); null if invalid or out of range. */
export function parseFloatText(text: string, single: boolean): number | null {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-infinity' || lower === '-inf') return -Infinity;
  if (!FLOAT_TEXT.test(s)) return null;
  const n = Number(s);
  const v = single ? Math.fround(n) : n;
  // PostgreSQL refuses input that overflows, or underflows to zero, rather than rounding it.
  if (!Number.isFinite(v)) return null;
  if (v === 0 && /[1-9]/.test(s.replace(/[eE].*$/, ''))) return null;
  return v;
}

/** PostgreSQL's float order: NaN equals NaN and sorts above everything (also above Infinity). */
export function compareFloat(a: number, b: number): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// ------------------------------------------------------------------------------------------------
// boolean
// ------------------------------------------------------------------------------------------------

const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'false', 'n', 'no', 'off', '0']);

/** Boolean input (the common spellings boolin accepts); 1 true, 0 false, null if not a boolean. */
export function parseBoolean(text: string): 0 | 1 | null {
  const s = text.trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return 1;
  if (FALSE_WORDS.has(s)) return 0;
  return null;
}

// ------------------------------------------------------------------------------------------------
// text
// ------------------------------------------------------------------------------------------------

/** Code point order, i.e. the byte order of UTF-8: PostgreSQL's "C" collation. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 puts surrogates (U+D800-DFFF, i.e. code points above U+FFFF) below U+E000-FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** character(n) compares without its trailing spaces (bpchar semantics). */
export function stripTrailingSpaces(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 32) end--;
  return end === s.length ? s : s.slice(0, end);
}

type LikeToken = { t: 0; cp: string } | { t: 1 } | { t: 2 }; // literal code point, _, %

/** A LIKE pattern (backslash escapes, as PostgreSQL's default); null with the reason when invalid. */
export function compileLike(pattern: string): ((value: string) => boolean) | string {
  const tokens: LikeToken[] = [];
  const cps = Array.from(pattern);
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (c === '\\') {
      if (i + 1 >= cps.length) return 'a LIKE pattern must not end with the escape character \\';
      tokens.push({ t: 0, cp: cps[++i] });
    } else if (c === '_') tokens.push({ t: 1 });
    else if (c === '%') {
      if (tokens[tokens.length - 1]?.t !== 2) tokens.push({ t: 2 });
    } else tokens.push({ t: 0, cp: c });
  }
  return (value) => likeMatch(tokens, value);
}

/** Wildcard matching with one backtrack point: O(pattern × value), never exponential. */
function likeMatch(tokens: LikeToken[], s: string): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  const m = tokens.length;
  while (i < s.length) {
    const step = s.charCodeAt(i) >= 0xd800 && s.charCodeAt(i) <= 0xdbff && i + 1 < s.length ? 2 : 1;
    const tok = p < m ? tokens[p] : null;
    if (tok && (tok.t === 1 || (tok.t === 0 && tok.cp.length === step && s.startsWith(tok.cp, i)))) {
      p++;
      i += step;
    } else if (tok && tok.t === 2) {
      starP = p++;
      starI = i;
    } else if (starP >= 0) {
      p = starP + 1;
      const back = s.charCodeAt(starI) >= 0xd800 && s.charCodeAt(starI) <= 0xdbff && starI + 1 < s.length ? 2 : 1;
      starI += back;
      i = starI;
    } else {
      return false;
    }
  }
  while (p < m && tokens[p].t === 2) p++;
  return p === m;
}

// ------------------------------------------------------------------------------------------------
// uuid
// ------------------------------------------------------------------------------------------------

/** uuid input forms PostgreSQL accepts (braces, upper case, hyphens between groups of 4) → canonical text. */
export function parseUuid(text: string): string | null {
  let s = text.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) return null;
    s = s.slice(1, -1);
  }
  let hex = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '-') {
      // A hyphen may follow any group of four digits, never lead, trail or double.
      if (hex.length === 0 || hex.length % 4 !== 0 || s[i + 1] === '-' || i === s.length - 1) return null;
      continue;
    }
    if (!/[0-9a-fA-F]/.test(c)) return null;
    hex += c.toLowerCase();
  }
  if (hex.length !== 32) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ------------------------------------------------------------------------------------------------
// dates and times (ISO text), proleptic Gregorian like PostgreSQL
// ------------------------------------------------------------------------------------------------

/** PostgreSQL's own infinity timestamps are INT64_MIN/MAX microseconds: every real value lies between. */
export const TIMESTAMP_INFINITY = 2n ** 63n - 1n;
const MICROS_PER_DAY = 86_400_000_000n;

function daysFromCivil(year: number, month: number, day: number): number {
  // Howard Hinnant's days_from_civil; `year` is astronomical (1 BC = 0).
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

const DATE_PART = /^(\d{4,})-(\d{2})-(\d{2})/;

/** Days since 1970-01-01 of an ISO date (`2024-02-29`, `0044-03-15 BC`); ±Infinity for ±infinity. */
export function parseDate(text: string): number | null {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-infinity') return -Infinity;
  const bc = / BC$/i.test(s);
  const body = bc ? s.slice(0, -3) : s;
  const m = DATE_PART.exec(body);
  if (!m || m[0].length !== body.length) return null;
  return civilDays(m, bc);
}

function civilDays(m: RegExpExecArray, bc: boolean): number | null {
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year === 0 || month < 1 || month > 12) return null;
  const astro = bc ? 1 - year : year;
  if (day < 1 || day > daysInMonth(astro, month)) return null;
  return daysFromCivil(astro, month, day);
}

const TIME_PART = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?/;

function timeMicros(m: RegExpExecArray): number | null {
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = m[3] === undefined ? 0 : Number(m[3]);
  const frac = m[4] === undefined ? 0 : Number(m[4].padEnd(6, '0'));
  if (min > 59 || sec > 59 || h > 24 || (h === 24 && (min > 0 || sec > 0 || frac > 0))) return null;
  return ((h * 60 + min) * 60 + sec) * 1_000_000 + frac;
}

/** Microseconds since midnight of `HH:MM[:SS[.ffffff]]` (24:00:00 allowed, as in PostgreSQL). */
export function parseTime(text: string): number | null {
  const s = text.trim();
  const m = TIME_PART.exec(s);
  if (!m || m[0].length !== s.length) return null;
  return timeMicros(m);
}

const OFFSET = /^ ?(?:(Z)|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?)/i;

/**
 * Microseconds since the epoch of an ISO timestamp. `zone`: 'none' refuses an offset (timestamp
 * without time zone), 'required' needs one (with time zone; PostgreSQL's own output always has
 * it). A date alone means midnight. ±infinity map to PostgreSQL's infinity values.
 */
export function parseTimestamp(text: string, zone: 'none' | 'required'): bigint | null {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === 'infinity' || lower === '+infinity') return TIMESTAMP_INFINITY;
  if (lower === '-infinity') return -TIMESTAMP_INFINITY;
  const bc = / BC$/i.test(s);
  let rest = bc ? s.slice(0, -3) : s;
  const d = DATE_PART.exec(rest);
  if (!d) return null;
  const days = civilDays(d, bc);
  if (days === null) return null;
  rest = rest.slice(d[0].length);
  let micros = 0;
  if (rest.length && (rest[0] === ' ' || rest[0] === 'T' || rest[0] === 't')) {
    const t = TIME_PART.exec(rest.slice(1));
    if (!t) return null;
    const tm = timeMicros(t);
    if (tm === null) return null;
    micros = tm;
    rest = rest.slice(1 + t[0].length);
  }
  let offsetSeconds = 0;
  if (rest.length) {
    const o = OFFSET.exec(rest);
    if (!o || o[0].length !== rest.length || zone === 'none') return null;
    if (!o[1]) {
      const seconds = Number(o[3]) * 3600 + Number(o[4] ?? 0) * 60 + Number(o[5] ?? 0);
      if (Number(o[4] ?? 0) > 59 || Number(o[5] ?? 0) > 59) return null;
      offsetSeconds = o[2] === '-' ? -seconds : seconds;
    }
  } else if (zone === 'required') {
    return null;
  }
  return BigInt(days) * MICROS_PER_DAY + BigInt(micros) - BigInt(offsetSeconds) * 1_000_000n;
}
