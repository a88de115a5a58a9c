import { lsnToHex16 } from './lsn';

const BYTE_HEX: string[] = [];
for (let i = 0; i < 256; i++) BYTE_HEX.push(i.toString(16).toUpperCase().padStart(2, '0'));

// Every change of a transaction shares one commit LSN, so a single-entry cache turns the
// bigint-to-hex conversion into a once-per-transaction cost.
let cachedLsn = -1n;
let cachedPrefix = '';

/**
 * Deterministic message id: `<commit LSN, 16 hex>-<index in transaction, 8 hex>`, uppercase.
 * Both parts are fixed width, so ids sort lexicographically in commit order and a change
 * re-sent after a restart gets the same id.
 */
export function messageId(commitLsn: bigint, index: number): string {
  if (!(index >= 0 && index <= 0xffff_ffff && Number.isInteger(index))) {
    throw new RangeError(`change index ${index} must be an integer in [0, 2^32)`);
  }
  if (commitLsn !== cachedLsn) {
    cachedPrefix = lsnToHex16(commitLsn) + '-';
    cachedLsn = commitLsn;
  }
  // `>>> 0` keeps the top byte unsigned for indexes >= 2^31.
  const i = index >>> 0;
  return cachedPrefix + BYTE_HEX[i >>> 24] + BYTE_HEX[(i >>> 16) & 0xff] + BYTE_HEX[(i >>> 8) & 0xff] + BYTE_HEX[i & 0xff];
}
