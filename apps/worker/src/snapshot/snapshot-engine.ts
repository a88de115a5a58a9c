import { RowFilterError, TokenBucket, estimateChunks, nextChunkSize, rowsWithinBytes, type RelationMessage, type RelationSchema, type Tuple } from '@walbridge/domain';
import type { BackfillPlan, BackfillTableProgress, WorkerToScheduler } from '@walbridge/queue';
import { RowGate, type TableRoute } from '../routing';
import type { TableRef } from '../source/source-admin';
import { ChunkMerger, type ChunkOutcome, type SnapshotSink } from './chunk-merger';
import { isTableGone, rowBytes, type SnapshotReader, type TableShape } from './snapshot-reader';
import type { StreamTap } from './stream-tap';

export type { SnapshotSink } from './chunk-merger';

export interface SnapshotEngineOptions {
  connect(): Promise<SnapshotReader>;
  describe(relation: RelationMessage): Promise<RelationSchema>;
  route(schema: RelationSchema): TableRoute | null;
  sink(): SnapshotSink;
  report(message: WorkerToScheduler): void;
  log(level: 'info' | 'warning', message: string): void;
  onFatal(error: Error): void;
  /** Distinguishes this worker's watermarks from those of an earlier run replayed by the slot. */
  runId: string;
  /** Tables read at the same time (each with one chunk in flight). */
  parallel?: number;
  /** How long reading one chunk should take; the chunk size adapts to it. */
  targetChunkMs?: number;
  /** throttle.snapshotRowsPerSecond */
  rowsPerSecond?: number;
  now?: () => number;
}

const MIN_CHUNK_ROWS = 100;
const MAX_CHUNK_ROWS = 20_000;
const FIRST_CHUNK_ROWS = 2_000;
/** What one chunk may hold in memory (large rows make small chunks: the worker's heap is bounded). */
const CHUNK_BYTES = 8 * 1024 * 1024;
/** The snapshot waits while this much is unacknowledged, so the stream's own changes keep flowing. */
const SNAPSHOT_BACKLOG_BYTES = 4 * 1024 * 1024;

/** A chunk read, as counted once its rows are handed over. */
interface ChunkFigures {
  rows: number;
  bytesPerRow: number;
  nextPosition: string[] | null;
  last: boolean;
}

interface BackfillRun {
  plan: BackfillPlan;
  jobs: TableJob[];
  cancelled: boolean;
  started: boolean;
}

interface TableJob {
  run: BackfillRun;
  progress: BackfillTableProgress;
  name: string;
  claimed: boolean;
  shape?: TableShape;
  route?: TableRoute;
  gate?: RowGate | null;
  chunkSize: number;
  rowsRead: number;
}

/**
 * Full synchronization and backfills: chunked keyset reads (ctid ranges without a key), each
 * between two watermarks in the WAL, merged into the stream at the high watermark (see
 * SnapshotWindow). No lock, one short transaction per chunk; a chunk's position is reported
 * once Kafka acknowledged it, so a restarted worker resumes at the next chunk.
 */
export class SnapshotEngine {
  private readonly runs: BackfillRun[] = [];
  private readonly merger: ChunkMerger;
  private readonly bucket: TokenBucket | null;
  private readonly now: () => number;
  private readonly published = new Set<string>();
  private seq = 0;
  private stopped = false;
  private wake: (() => void) | null = null;
  private lanes: Promise<void>[] = [];

  constructor(private readonly options: SnapshotEngineOptions) {
    this.now = options.now ?? Date.now;
    this.bucket = options.rowsPerSecond ? new TokenBucket(options.rowsPerSecond, this.now) : null;
    this.merger = new ChunkMerger({ sink: options.sink, onFatal: options.onFatal, now: this.now });
  }

  /** What the change pipeline shows the snapshot of the stream. */
  get tap(): StreamTap {
    return this.merger;
  }

  /** Starts reading; `tables` are the tables the task captures (its publication). */
  start(backfills: readonly BackfillPlan[], tables: readonly TableRef[]): void {
    this.addTables(tables);
    for (const plan of backfills) this.add(plan);
    const parallel = Math.max(1, this.options.parallel ?? 2);
    for (let i = 0; i < parallel; i++) this.lanes.push(this.lane());
  }

  private publishedList: TableRef[] = [];

  /** Tables the publication took after the start (created later): backfills may read them now. */
  addTables(tables: readonly TableRef[]): void {
    let added = false;
    for (const t of tables) {
      const name = `${t.schema}.${t.table}`;
      if (this.published.has(name)) continue;
      this.published.add(name);
      this.publishedList.push({ schema: t.schema, table: t.table });
      added = true;
    }
    // A backfill that waited for one of them goes on.
    if (added) this.wake?.();
  }

  add(plan: BackfillPlan): void {
    if (this.runs.some((r) => r.plan.id === plan.id)) return;
    const tables = [...plan.tables];
    if (plan.allTables) {
      for (const t of this.publishedList) {
        if (!tables.some((p) => p.schema === t.schema && p.table === t.table)) {
          tables.push({ schema: t.schema, table: t.table, filter: null, state: 'pending', position: null, rowsEstimated: 0, rowsSent: 0, chunksDone: 0, chunksTotal: 0 });
        }
      }
    }
    const run: BackfillRun = { plan, jobs: [], cancelled: false, started: false };
    run.jobs = tables.map((progress) => ({
      run,
      progress: { ...progress },
      name: `${progress.schema}.${progress.table}`,
      claimed: progress.state === 'done' || progress.state === 'failed' || progress.state === 'cancelled',
      chunkSize: FIRST_CHUNK_ROWS,
      rowsRead: progress.rowsSent,
    }));
    this.runs.push(run);
    this.finishIfDone(run);
    this.wake?.();
  }

  cancel(backfillId: string): void {
    const run = this.runs.find((r) => r.plan.id === backfillId);
    if (run) run.cancelled = true;
  }

  /** No new chunk starts; what is in flight is dropped (its position was not reported, so it is read again). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Whether any backfill still has tables to read. */
  get busy(): boolean {
    return this.runs.some((r) => !r.cancelled && r.jobs.some((j) => j.progress.state === 'pending' || j.progress.state === 'running'));
  }

  // -------------------------------------------------------------------------------------------
  // reading
  // -------------------------------------------------------------------------------------------

  /**
   * The next table to read. A table this worker does not capture yet waits, it never fails: its
   * changes could not be merged, and it is captured once the publication takes it (discovery of
   * a table created later) or by the worker that streams the task's edited tables, which gets
   * the backfill again with its stored position.
   */
  private nextJob(): TableJob | null {
    for (const run of this.runs) {
      if (run.cancelled) continue;
      for (const job of run.jobs) {
        if (job.claimed) continue;
        if (!this.published.has(job.name)) {
          this.waiting(job);
          continue;
        }
        job.claimed = true;
        return job;
      }
    }
    return null;
  }

  private readonly announcedWaits = new WeakSet<TableJob>();

  private waiting(job: TableJob): void {
    if (this.announcedWaits.has(job)) return;
    this.announcedWaits.add(job);
    this.options.log('info', `backfill ${job.run.plan.id}: ${job.name} is read once this task captures it (its tables were just edited, or it was created since the stream started)`);
  }

  private async lane(): Promise<void> {
    let reader: SnapshotReader | null = null;
    try {
      while (!this.stopped) {
        const job = this.nextJob();
        if (!job) {
          await new Promise<void>((resolve) => {
            const previous = this.wake;
            this.wake = () => {
              this.wake = null;
              previous?.();
              resolve();
            };
          });
          continue;
        }
        reader ??= await this.options.connect();
        try {
          await this.readTable(job, reader);
        } catch (error) {
          if (this.stopped) return;
          if (!isTableGone(error)) throw error;
          // Dropped while (or before) it was read: nothing left to deliver; the other tables go on.
          this.finishTable(job, 'failed');
          this.options.log('warning', `snapshot of ${job.name} ended: the table no longer exists`);
        }
      }
    } catch (error) {
      if (!this.stopped) this.options.onFatal(new Error(`snapshot failed: ${(error as Error).message}`, { cause: error }));
    } finally {
      await reader?.close();
    }
  }

  private async readTable(job: TableJob, reader: SnapshotReader): Promise<void> {
    if (!job.shape) {
      job.shape = await reader.describe(job.progress.schema, job.progress.table);
      const schema = await this.options.describe(job.shape.relation);
      const route = this.options.route(schema);
      if (!route) {
        this.options.log('warning', `backfill of ${job.name} skipped: the task's objects do not route this table to a topic (excluded, or not among its tables)`);
        this.finishTable(job, 'failed');
        return;
      }
      job.route = route;
      job.gate = null;
      if (job.progress.filter) {
        try {
          job.gate = RowGate.compile(job.progress.filter, schema);
        } catch (error) {
          if (!(error instanceof RowFilterError)) throw error;
          this.options.log('warning', `backfill of ${job.name} skipped: its filter no longer fits the table (position ${error.position}: ${error.reason})`);
          this.finishTable(job, 'failed');
          return;
        }
      }
      if (job.progress.chunksDone === 0) job.progress.rowsEstimated = job.shape.rowsEstimated;
      if (!job.shape.keyPositions && job.progress.chunksDone === 0) {
        this.options.log('info', `${job.name} has no primary key: read by ctid ranges (rows changed while it is read may be delivered twice)`);
      }
    }
    if (!job.run.started) {
      job.run.started = true;
      this.options.report({ type: 'snapshot', backfillId: job.run.plan.id, status: 'running' });
    }
    job.progress.state = 'running';
    // The next chunk is read while the one before is being sent; its high watermark (where its
    // rows join the stream) waits for that chunk's acknowledgement, so a table never has more
    // than one chunk unacknowledged (what a restart may send again) and PostgreSQL's reading
    // overlaps Kafka's instead of following it. The watermark also waits while the stream's own
    // changes hold more than SNAPSHOT_BACKLOG_BYTES (they keep flowing); the read does not, or
    // Kafka idled between chunks whenever a read took longer than sending that backlog.
    let readFrom = job.progress.position;
    let previous: Promise<void> = Promise.resolve();
    try {
      while (!this.stopped && !job.run.cancelled) {
        await this.holdBack(job);
        if (this.stopped || job.run.cancelled) return;
        const started = this.now();
        const rowsPerPage = job.shape.pages > 0 ? Math.max(1, job.shape.rowsEstimated / job.shape.pages) : 100;
        const limit = job.shape.keyPositions ? job.chunkSize : Math.max(1, Math.round(job.chunkSize / rowsPerPage));
        const outcome = await this.readChunk(job, reader, limit, readFrom, previous.then(() => this.backlogDrained(job)));
        if (outcome.reread) continue;
        const chunk = this.lastRead.get(job)!;
        this.bucket?.take(chunk.rows);
        readFrom = chunk.nextPosition;
        previous = this.whenAcknowledged(job, chunk, outcome.acked, outcome.sent, started);
        if (chunk.last) return;
      }
    } finally {
      // A stopped engine drops what is in flight (its position is not reported).
      if (!this.stopped) await previous;
    }
  }

  /** A chunk's bookkeeping once Kafka acknowledged it: its position is reported only then. */
  private async whenAcknowledged(job: TableJob, chunk: ChunkFigures, acked: Promise<void>, sent: number, started: number): Promise<void> {
    await acked;
    if (this.stopped) return;
    const shape = job.shape!;
    const elapsed = this.now() - started;
    job.rowsRead += chunk.rows;
    job.progress.position = chunk.nextPosition;
    job.progress.rowsSent += sent;
    job.progress.chunksDone++;
    if (chunk.rows) shape.bytesPerRow = chunk.bytesPerRow;
    job.chunkSize = Math.min(
      nextChunkSize(job.chunkSize, elapsed, this.options.targetChunkMs ?? 500, MIN_CHUNK_ROWS, this.maxChunk()),
      rowsWithinBytes(shape.bytesPerRow, CHUNK_BYTES),
    );
    if (chunk.last) {
      this.finishTable(job, 'done');
      return;
    }
    job.progress.chunksTotal = estimateChunks(job.progress.rowsEstimated, job.rowsRead, job.progress.chunksDone, job.chunkSize, false);
    this.options.report({ type: 'snapshot', backfillId: job.run.plan.id, table: { ...job.progress } });
  }

  /**
   * What the engine needs of the last chunk read, without its rows: they are garbage once the
   * chunk is encoded, and holding them until the acknowledgement (and into the next chunk's
   * read) made the collector copy and mark two chunks of rows instead of one.
   */
  private readonly lastRead = new WeakMap<TableJob, ChunkFigures>();

  private maxChunk(): number {
    return this.options.rowsPerSecond ? Math.max(1, Math.min(MAX_CHUNK_ROWS, this.options.rowsPerSecond)) : MAX_CHUNK_ROWS;
  }

  /** Waits for the snapshot throttle. */
  private async holdBack(job: TableJob): Promise<void> {
    job.chunkSize = Math.min(job.chunkSize, this.maxChunk(), rowsWithinBytes(job.shape!.bytesPerRow, CHUNK_BYTES));
    for (;;) {
      if (this.stopped || job.run.cancelled) return;
      const wait = this.bucket?.msUntil(Math.min(job.chunkSize, this.bucket.capacity)) ?? 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, 1000)));
      else return;
    }
  }

  /** Waits for Kafka to catch up with what is queued (the stream's changes, once the chunk before is acknowledged). */
  private async backlogDrained(job: TableJob): Promise<void> {
    while (!this.stopped && !job.run.cancelled && this.options.sink().unacknowledgedBytes > SNAPSHOT_BACKLOG_BYTES) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Reads one chunk after `after`; its rows join the stream once `previous` (the chunk before) was acknowledged. */
  private async readChunk(job: TableJob, reader: SnapshotReader, limit: number, after: string[] | null, previous: Promise<void>): Promise<ChunkOutcome> {
    const id = `${this.options.runId}:${++this.seq}`;
    const chunk = this.merger.open(id, { backfillId: job.run.plan.id, name: job.name, shape: job.shape!, route: job.route!, gate: job.gate ?? null });
    try {
      await reader.readChunk(
        job.shape!,
        after,
        limit,
        id,
        chunk.opened,
        (read) => {
          chunk.read(read);
          this.lastRead.set(job, { rows: read.rows.length, bytesPerRow: read.rows.length ? bytesPerRow(read.rows) : 0, nextPosition: read.nextPosition, last: read.last });
        },
        CHUNK_BYTES,
        previous,
      );
    } catch (error) {
      chunk.abandon();
      throw error;
    }
    return chunk.outcome;
  }

  private finishTable(job: TableJob, state: 'done' | 'failed'): void {
    job.progress.state = state;
    job.progress.chunksTotal = job.progress.chunksDone;
    this.options.report({ type: 'snapshot', backfillId: job.run.plan.id, table: { ...job.progress } });
    this.finishIfDone(job.run);
  }

  private finishIfDone(run: BackfillRun): void {
    if (run.cancelled || run.jobs.some((j) => j.progress.state === 'pending' || j.progress.state === 'running')) return;
    const failed = run.jobs.filter((j) => j.progress.state === 'failed').map((j) => j.name);
    this.options.report({
      type: 'snapshot',
      backfillId: run.plan.id,
      status: 'completed',
      ...(failed.length ? { error: `not read: ${failed.join(', ')}` } : {}),
    });
  }
}

/** Average text size of a chunk's rows (what they take in memory, roughly, before encoding). */
function bytesPerRow(rows: readonly Tuple[]): number {
  let bytes = 0;
  for (const row of rows) bytes += rowBytes(row);
  return Math.ceil(bytes / rows.length);
}
