import type { BackfillKind, BackfillStatus, SnapshotTableState } from '@walbridge/vocabulary';
import { z } from 'zod';

/**
 * Full synchronization and backfills (issue 13): existing rows are read in chunks by the worker,
 * interleaved with the live stream, and sent as `type: "INSERT"` with `"snapshot": true`.
 */

export interface SnapshotTableView {
  schema: string;
  table: string;
  state: SnapshotTableState;
  /** pg_class.reltuples when the table's read began (an estimate; 0 when never analyzed). */
  rowsEstimated: number;
  /** Rows sent and acknowledged by Kafka (after the row filters). */
  rowsSent: number;
  chunksDone: number;
  /** An estimate from rowsEstimated and the current chunk size; equals chunksDone once done. */
  chunksTotal: number;
}

export interface BackfillTableView extends SnapshotTableView {
  /** The backfill's own row filter (row-filter syntax), on top of the table's filter; null for all rows. */
  filter: string | null;
}

export interface BackfillView {
  id: string;
  kind: BackfillKind;
  status: BackfillStatus;
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why it failed (status failed). */
  error: string | null;
  tables: BackfillTableView[];
}

/**
 * `GET /tasks/{id}/snapshot`: the backfills in progress (or, when none is, the latest one).
 * status none: the task never read existing rows.
 */
export interface TaskSnapshotView {
  status: 'none' | BackfillStatus;
  tables: SnapshotTableView[];
  /** Snapshot rows acknowledged per second since the reading began (0 when not running). */
  rowsPerSecond: number;
  /** Remaining estimated rows / rowsPerSecond; null when unknown (no rate yet, or not running). */
  etaSeconds: number | null;
}

const objectName = (what: string) =>
  z
    .string({ required_error: `${what} is required`, invalid_type_error: `${what} must be a string` })
    .min(1, `${what} is required`)
    .max(63, `${what} must be at most 63 characters`);

export const backfillTableSchema = z.object({
  schema: objectName('schema'),
  table: objectName('table'),
  /** Row-filter syntax (like policy.tables[].filter): a partial backfill. */
  filter: z.string().max(4096, 'filter must be at most 4096 characters').optional(),
});

export const createBackfillSchema = z
  .object({
    tables: z.array(backfillTableSchema).min(1, 'name at least one table').max(1000, 'at most 1000 tables'),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.tables.forEach((t, i) => {
      const key = `${t.schema}\u0000${t.table}`;
      if (seen.has(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tables', i], message: `${t.schema}.${t.table} is named twice` });
      seen.add(key);
    });
  });

export type CreateBackfillInput = z.input<typeof createBackfillSchema>;
