/**
 * "Slot WAL retention above a limit" (PRODUCT.md §6): notified once when the retained WAL goes
 * above the limit, and armed again only once it is back below 90 % of it, so a slot hovering
 * around the limit does not notify at every measurement. A limit of 0 is off.
 */
export const RETENTION_REARM_RATIO = 0.9;

export type RetentionAlarmChange = 'raise' | 'clear' | null;

export function slotRetentionChange(raised: boolean, retainedBytes: number | null, limitBytes: number): RetentionAlarmChange {
  if (!(limitBytes > 0) || retainedBytes === null) return raised && limitBytes <= 0 ? 'clear' : null;
  if (!raised && retainedBytes > limitBytes) return 'raise';
  if (raised && retainedBytes < limitBytes * RETENTION_REARM_RATIO) return 'clear';
  return null;
}
