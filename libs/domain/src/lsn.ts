/**
 * PostgreSQL log sequence numbers. An LSN is an unsigned 64-bit WAL position; PostgreSQL prints
 * it as two 32-bit halves in uppercase hex ('16/B374D848'). We keep LSNs as bigint because the
 * high word is routinely non-zero on long-lived servers and a number would lose precision.
 */

const MAX_LSN = 0xffff_ffff_ffff_ffffn;
const WORD = 0xffff_ffffn;

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 70) return code - 55; // A-F
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return -1;
}

// A 32-bit half is at most 8 hex digits, so a number accumulates it exactly.
function parseHalf(text: string, start: number, end: number): number {
  if (end <= start || end - start > 8) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = hexDigit(text.charCodeAt(i));
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

/** Parses PostgreSQL's 'X/Y' LSN text (1–8 hex digits each side, any case). Throws on bad input. */
export function parseLsn(text: string): bigint {
  const slash = text.indexOf('/');
  const hi = slash > 0 ? parseHalf(text, 0, slash) : -1;
  const lo = hi >= 0 ? parseHalf(text, slash + 1, text.length) : -1;
  if (lo < 0) throw new Error(`invalid LSN ${JSON.stringify(text)}: expected 'X/Y' with 1-8 hex digits on each side`);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function checkLsn(lsn: bigint): void {
  if (lsn < 0n || lsn > MAX_LSN) throw new RangeError(`LSN ${lsn} is outside the unsigned 64-bit range`);
}

/** Formats an LSN the way PostgreSQL prints it: uppercase hex halves without padding ('0/A2E1F30'). */
export function formatLsn(lsn: bigint): string {
  checkLsn(lsn);
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & WORD).toString(16).toUpperCase()}`;
}

/** 16 uppercase hex digits, zero padded, so that string order equals numeric order. */
export function lsnToHex16(lsn: bigint): string {
  checkLsn(lsn);
  return lsn.toString(16).toUpperCase().padStart(16, '0');
}

/** -1, 0 or 1, usable as an Array.prototype.sort comparator. */
export function compareLsn(a: bigint, b: bigint): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxLsn(a: bigint, b: bigint): bigint {
  return a >= b ? a : b;
}
