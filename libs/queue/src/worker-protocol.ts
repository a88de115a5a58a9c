import type { BackfillKind, BackfillStatus, DestinationConfig, FailureKind, PolicyConfig, SnapshotTableState, SourceConfig, TaskConfig, TaskLogLevel, ThroughputCounters, WorkerMode, WorkerTuning } from '@walbridge/contracts';

/** One table of a backfill as the metadata database holds it: where its reading stands. */
export interface BackfillTableProgress {
  schema: string;
  table: string;
  /** The backfill's row filter (row-filter syntax); null: every row (the table's own filter still applies). */
  filter: string | null;
  state: SnapshotTableState;
  /** Where the next chunk starts: the last key of the last acknowledged chunk (or the next ctid block); null: the beginning. */
  position: string[] | null;
  rowsEstimated: number;
  rowsSent: number;
  chunksDone: number;
  chunksTotal: number;
}

/** A backfill for a worker to read (full synchronization or POST /tasks/{id}/backfills). */
export interface BackfillPlan {
  id: string;
  kind: BackfillKind;
  /** Every table the task captures (the full synchronization): tables missing from `tables` start fresh. */
  allTables: boolean;
  tables: BackfillTableProgress[];
}

/**
 * Messages between the scheduler and a worker process (Node IPC channel). Secrets travel here,
 * never in argv or the environment, where `ps` would show them.
 */
export interface WorkerTaskConfig {
  taskId: string;
  slotName: string;
  publicationName: string;
  source: SourceConfig;
  destination: DestinationConfig;
  policy: PolicyConfig;
  throttle: TaskConfig['throttle'];
  /**
   * What the task knows of its slot: a confirmed position, or the point where it created the
   * slot. With either, a slot that is gone is never created again (that would silently skip
   * every change since): the worker fails with a slot-lost failure (a reset is the way out).
   */
  slotHistory: { confirmedLsn: string | null; createdLsn: string | null };
  /** The scheduler's WALBRIDGE_OUTBOUND_DENY: the worker connects to none of these (checked before each connection). */
  outboundDeny: string[];
  /** Backfills to read (pending or interrupted), oldest first; more arrive with `backfill` messages. */
  backfills?: BackfillPlan[];
  /**
   * The scheduler's validated WALBRIDGE_HEARTBEAT_MS and friends (`workerTuningSchema`): the worker
   * reads no environment, it parses these (defaults when none came: an older scheduler, a test
   * driving a worker itself).
   */
  tuning?: WorkerTuning;
}

/**
 * stream: set up slot and publication and stream until told to stop.
 * teardown: drop slot and publication, then exit (stop without a streaming worker, drop-slot).
 * reset: drop the slot and create it again at the current WAL position, then exit.
 * inspect: report whether the slot exists and how much WAL it retains, then exit.
 * publish: bring the publication's tables in line with the configuration, then exit (tables
 *   edited while the task is paused: their changes are captured from the edit on).
 */
export type { WorkerMode };

export type SchedulerToWorker =
  | { type: 'start'; mode: WorkerMode; config: WorkerTaskConfig }
  /** Drain what is in flight, confirm it, then exit; with dropSlot also drop slot and publication. */
  | { type: 'stop'; dropSlot: boolean }
  /** A backfill requested while the worker streams. */
  | { type: 'backfill'; backfill: BackfillPlan }
  /** A backfill cancelled: its tables stop after the chunk in flight. */
  | { type: 'cancelBackfill'; backfillId: string };

export type WorkerLogLevel = TaskLogLevel;

/** What a worker reports every second; of its counters, bytesRead counts the logical replication messages received from the source. */
export interface WorkerProgress extends ThroughputCounters {
  confirmedLsn: string | null;
  /**
   * Age in ms of the oldest change committed on the source and not yet acknowledged by Kafka.
   * While the backlog of the start has not been received, at least the time since the start.
   */
  delayMs: number;
  /**
   * Everything committed on the source before this worker started has been received (the
   * stream passed the WAL end of that moment): the initial catch-up can end.
   */
  startBacklogRead: boolean;
  /**
   * Per-table counts of the changes sent, cumulative since this worker started, for the tables
   * that moved since the previous report (absent from older workers).
   */
  tables?: WorkerTableCount[];
}

/** Changes of one table sent to Kafka by a worker since it started. */
export interface WorkerTableCount {
  /** schema.table */
  table: string;
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  /** Commit time (epoch ms) of the latest change counted; 0 when none. */
  lastChangeAt: number;
}

/** A slot that was dropped or invalidated: what the notice and the log say. */
export interface SlotLostReport {
  slot: string;
  reason: 'dropped' | 'invalidated';
  sinceLsn: string | null;
  figures: Record<string, string | number | null>;
}

/**
 * A source table that needs someone's attention (issue 12 item 3): one without a key and without
 * REPLICA IDENTITY FULL, or one added to the publication after it already held rows. The
 * scheduler turns it into a notice, once per table identity (OID) and event.
 */
export interface WorkerTableNotice {
  event: 'keyless' | 'addedLate';
  /** schema.table */
  table: string;
  oid: number;
  detail: string;
}

/** The task's replication slot as seen on the source. */
export interface SlotReport {
  exists: boolean;
  /** pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn); null when the slot does not exist. */
  retainedWalBytes: number | null;
  confirmedLsn: string | null;
}

export type WorkerToScheduler =
  | { type: 'log'; level: WorkerLogLevel; message: string }
  | { type: 'streaming' }
  | { type: 'progress'; progress: WorkerProgress }
  | { type: 'slot'; slot: SlotReport }
  | { type: 'tableNotice'; notice: WorkerTableNotice }
  /** The worker created the task's slot (first start): the scheduler records where it begins. */
  | { type: 'slotCreated'; lsn: string }
  /**
   * kind decides the retry window: network failures are retried longer than the others, data
   * exceptions not at all; `retry: false` marks another failure only an operator can fix.
   * A data exception names the table and the message id of the change that could not be delivered;
   * a lost slot (kind slotLost, never retried) names the slot, why, and since when changes are lost.
   */
  | {
      type: 'failed';
      message: string;
      kind: FailureKind;
      retry?: boolean;
      dataException?: { table: string; messageId: string };
      slotLost?: SlotLostReport;
    }
  | { type: 'stopped'; slotDropped: boolean }
  /**
   * Snapshot progress, sent once Kafka acknowledged a chunk (the stored position is then safe to
   * resume from), or when a backfill's status changes (completed: every table done; failed).
   */
  | { type: 'snapshot'; backfillId: string; table?: BackfillTableProgress; status?: BackfillStatus; error?: string }
  /**
   * Tables the task took after its start (a database-level task's table created later, added to
   * its table-list publication): the scheduler backfills them when the task's policy says so
   * (policy.backfillAddedTables), so rows written before they were added arrive too.
   */
  | { type: 'tablesAdded'; tables: { schema: string; table: string }[] };
