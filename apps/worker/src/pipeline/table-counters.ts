import type { WorkerTableCount } from '@walbridge/queue';

type Operation = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';

/**
 * Changes sent per table since this worker started (issue 15 feature 4: per-table counters).
 * The intake keeps a reference to a table's entry next to its relation, so the hot path is a
 * field increment; only tables that moved since the last report are reported.
 */
export class TableCounters {
  private readonly byTable = new Map<string, WorkerTableCount>();
  private readonly dirty = new Set<WorkerTableCount>();

  /** The entry of `schema.table` (the same object for every relation of that name). */
  entry(table: string): WorkerTableCount {
    let entry = this.byTable.get(table);
    if (!entry) {
      entry = { table, inserts: 0, updates: 0, deletes: 0, truncates: 0, lastChangeAt: 0 };
      this.byTable.set(table, entry);
    }
    return entry;
  }

  count(entry: WorkerTableCount, operation: Operation, commitTime: number): void {
    if (operation === 'INSERT') entry.inserts++;
    else if (operation === 'UPDATE') entry.updates++;
    else if (operation === 'DELETE') entry.deletes++;
    else entry.truncates++;
    if (commitTime > entry.lastChangeAt) entry.lastChangeAt = commitTime;
    this.dirty.add(entry);
  }

  /** Copies of the entries that moved since the last call (cumulative since the worker started). */
  takeChanged(): WorkerTableCount[] {
    const out = [...this.dirty].map((e) => ({ ...e }));
    this.dirty.clear();
    return out;
  }
}
