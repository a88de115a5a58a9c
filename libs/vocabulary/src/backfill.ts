/** initial: the full synchronization of a full+incremental task; manual: POST /tasks/{id}/backfills. */
export const BACKFILL_KINDS = ['initial', 'manual'] as const;
export type BackfillKind = (typeof BACKFILL_KINDS)[number];

/** pending: waits for a worker; running: a worker reads it; the rest are final. */
export const BACKFILL_STATUSES = ['pending', 'running', 'completed', 'cancelled', 'failed'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

/** One table of a backfill: pending (not read yet), running, done, cancelled (with its backfill). */
export const SNAPSHOT_TABLE_STATES = ['pending', 'running', 'done', 'cancelled', 'failed'] as const;
export type SnapshotTableState = (typeof SNAPSHOT_TABLE_STATES)[number];
