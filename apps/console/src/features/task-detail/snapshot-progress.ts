import type { SnapshotTableView, TaskSnapshotView } from '@walbridge/contracts';

/** 0–100. A table's estimate (pg_class.reltuples) can be off: only a finished table shows 100 %. */
export function tablePercent(t: SnapshotTableView): number {
  if (t.state === 'done') return 100;
  const ratio = t.rowsEstimated > 0 ? t.rowsSent / t.rowsEstimated : t.chunksTotal > 0 ? t.chunksDone / t.chunksTotal : 0;
  return Math.min(99, Math.floor(ratio * 100));
}

/** The whole synchronization, weighted by each table's rows (an unknown estimate counts as one row). */
export function overallPercent(snapshot: TaskSnapshotView): number {
  if (snapshot.status === 'completed') return 100;
  if (!snapshot.tables.length) return 0;
  let weight = 0;
  let done = 0;
  for (const t of snapshot.tables) {
    const w = Math.max(1, t.rowsEstimated, t.rowsSent);
    weight += w;
    done += (w * tablePercent(t)) / 100;
  }
  return Math.min(snapshot.tables.every((t) => t.state === 'done') ? 100 : 99, Math.floor((done / weight) * 100));
}

/** "about 2 min", "45 s": the ETA as a person reads it. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'unknown';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `about ${Math.round(seconds / 60)} min`;
  return `about ${(seconds / 3600).toFixed(1)} h`;
}

export const SNAPSHOT_STATUS_TEXT: Record<TaskSnapshotView['status'], string> = {
  none: 'Not started',
  pending: 'Waiting for the worker',
  running: 'Reading existing rows',
  completed: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export const TABLE_STATE_TEXT: Record<SnapshotTableView['state'], string> = {
  pending: 'waiting',
  running: 'reading',
  done: 'done',
  cancelled: 'cancelled',
  failed: 'failed',
};
