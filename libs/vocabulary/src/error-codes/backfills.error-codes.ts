/** Full synchronization and backfills. */
export const BACKFILLS_ERROR_CODES = ['BACKFILL_NOT_FOUND', 'BACKFILL_FINISHED'] as const;
