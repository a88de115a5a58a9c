/**
 * The watermark window of one snapshot chunk (DBLog, as in Debezium's incremental snapshots).
 *
 * The worker writes the low watermark into the WAL, then, in one REPEATABLE READ transaction,
 * takes the snapshot S and reads the chunk, commits, and writes the high watermark. A
 * transaction invisible in S therefore committed after the low watermark (inside the window or
 * later), except one whose commit record was written before it but that was still running at S. When the stream reaches the high watermark, the chunk's rows
 * are sent at that point of the stream, except:
 *
 * - every key the stream changed between the two watermarks: those changes committed after S
 *   (the chunk holds an older state) and were already sent, so the chunk's row would overwrite a
 *   newer state or bring a deleted key back;
 * - the whole chunk, when a transaction still running at S (in its xip list) committed before the
 *   low watermark: the stream sent its change before the window opened, and the chunk does not
 *   hold it. Rare (a commit record written but not yet visible when S was taken); read again.
 *
 * Pure bookkeeping: the I/O lives in apps/worker/src/snapshot.
 */
export class SnapshotWindow {
  private readonly changed = new Set<string>();
  /** Old images a table without a key changed (a multiset: one chunk row dropped per image). */
  private readonly changedRows = new Map<string, number>();
  private opened = false;
  private stale = false;

  /** The low watermark arrived. */
  open(): void {
    this.opened = true;
  }

  /**
   * At the high watermark: `inProgress` is S's xip list (32-bit xids, as pgoutput's Begin carries
   * them), `committedBeforeLow` tells whether the stream saw a transaction commit before the low watermark.
   */
  close(inProgress: ReadonlySet<number>, committedBeforeLow: (xid: number) => boolean): void {
    for (const xid of inProgress) {
      if (committedBeforeLow(xid)) {
        this.stale = true;
        return;
      }
    }
  }

  get isOpen(): boolean {
    return this.opened;
  }

  /** The chunk must be read again (see the class comment). */
  get mustReread(): boolean {
    return this.stale;
  }

  /** A change of the chunk's table inside the window touched this key (old and new key of an UPDATE). */
  keyChanged(key: string): void {
    if (this.opened) this.changed.add(key);
  }

  /** The table was truncated inside the window: the chunk's rows are gone, it is read again. */
  truncated(): void {
    if (this.opened) this.stale = true;
  }

  /** A table without a key: the stream changed (UPDATE) or removed (DELETE) a row equal to this image. */
  rowChanged(image: string): void {
    if (this.opened) this.changedRows.set(image, (this.changedRows.get(image) ?? 0) + 1);
  }

  /** The chunk's rows that may still be sent, in their order. */
  remaining<T>(rows: readonly T[], keyOf: (row: T) => string, imageOf?: (row: T) => string): T[] {
    if (this.stale) return [];
    const rowsLeft = new Map(this.changedRows);
    return rows.filter((row) => {
      if (this.changed.size && this.changed.has(keyOf(row))) return false;
      if (imageOf && rowsLeft.size) {
        const image = imageOf(row);
        const n = rowsLeft.get(image);
        if (n) {
          if (n === 1) rowsLeft.delete(image);
          else rowsLeft.set(image, n - 1);
          return false;
        }
      }
      return true;
    });
  }
}

/**
 * The next chunk size: what would have taken `targetMs`, at most twice (and at least half) the
 * last size, so one slow or fast chunk does not swing it, within [min, max].
 */
export function nextChunkSize(current: number, elapsedMs: number, targetMs: number, min: number, max: number): number {
  const ideal = elapsedMs <= 0 ? current * 2 : (current * targetMs) / elapsedMs;
  const bounded = Math.min(current * 2, Math.max(current / 2, ideal));
  return Math.round(Math.min(max, Math.max(min, bounded)));
}

/**
 * The rows a chunk may hold so that it stays within `budgetBytes` in memory (a chunk is held from
 * its read to its acknowledgement): at least one row, whatever its size.
 */
export function rowsWithinBytes(bytesPerRow: number, budgetBytes: number): number {
  return Math.max(1, Math.floor(budgetBytes / Math.max(1, bytesPerRow)));
}

/** Chunks a table is expected to take (at least the chunks already done, at least 1). */
export function estimateChunks(rowsEstimated: number, rowsRead: number, chunksDone: number, chunkSize: number, done: boolean): number {
  if (done) return chunksDone;
  const left = Math.max(0, rowsEstimated - rowsRead);
  return Math.max(chunksDone + 1, chunksDone + Math.ceil(left / Math.max(1, chunkSize)));
}

/** The content of a watermark message (`pg_logical_emit_message(false, SNAPSHOT_MESSAGE_PREFIX, …)`). */
export interface Watermark {
  /** low or high */
  w: 'l' | 'h';
  /** The chunk: `<worker run>:<sequence>`; a watermark of another run (replayed after a restart) is ignored. */
  c: string;
}

export const SNAPSHOT_MESSAGE_PREFIX = 'walbridge.snapshot';

export function parseWatermark(content: string): Watermark | null {
  try {
    const v = JSON.parse(content) as Partial<Watermark>;
    return (v.w === 'l' || v.w === 'h') && typeof v.c === 'string' ? { w: v.w, c: v.c } : null;
  } catch {
    return null;
  }
}
