/** A PostgreSQL LSN ("16/B374D848") as a byte position, or null when it is not one. */
export function lsnToBigInt(lsn: string | null | undefined): bigint | null {
  if (!lsn) return null;
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn);
  if (!match) return null;
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** Bytes between two LSNs (0 when either is unknown or the second is not ahead). */
export function lsnDiff(from: string | null | undefined, to: string | null | undefined): number {
  const a = lsnToBigInt(from);
  const b = lsnToBigInt(to);
  if (a === null || b === null || b <= a) return 0;
  return Number(b - a);
}
