import { formatLsn, type PgOutputMessage, type RelationMessage, type RelationSchema } from '@walbridge/domain';
import type { WorkerProgress, WorkerTableCount } from '@walbridge/queue';
import type { TableRoute } from '../routing';
import { messageBytes, type OutboundMessage } from '../sink/kafka-sink';
import type { StreamTap } from '../snapshot/stream-tap';
import { BatchSender, type PipelineSink, type SizedMessage, type ThrottleLimits } from './batch-sender';
import { ChangeIntake } from './change-intake';
import { ConfirmTracker } from './confirm-tracker';

export type { PipelineSink, ThrottleLimits } from './batch-sender';

/** What the pipeline counts; bytes read are counted by the replication stream. */
export type PipelineProgress = Omit<WorkerProgress, 'bytesRead'>;

export interface PipelineSource {
  pause(): void;
  resume(): void;
  confirm(lsn: bigint): Promise<void>;
}

export interface PipelineOptions {
  source: PipelineSource;
  sink: PipelineSink;
  describe(relation: RelationMessage): Promise<RelationSchema>;
  route(schema: RelationSchema): TableRoute | null;
  onFatal(error: Error): void;
  /** A line for the task log (once per Relation message). */
  onNote?(message: string): void;
  /**
   * Where a new shape of a captured table is announced as a JSON message (`isDdl: true`):
   * `policy.schemaChangeTopic` and its partition count. Without it the change is only logged.
   */
  schemaChangeTopic?: { topic: string; partitions: number };
  /** Where the slot stands at start: what we may report before anything new is acknowledged. */
  confirmedLsn: bigint;
  /** Where the source's WAL ended when the stream started: the backlog to read before being caught up. */
  backlogEndLsn?: bigint;
  maxBatchBytes?: number;
  maxBatchMessages?: number;
  /** Unacknowledged bytes above which reading from PostgreSQL pauses, and below which it resumes. */
  highWaterBytes?: number;
  lowWaterBytes?: number;
  throttle?: ThrottleLimits;
  now?: () => number;
  /** The snapshot engine (full synchronization, backfills): sees the stream in order. */
  tap?: StreamTap;
}

/**
 * The worker's data path between the replication stream and Kafka, in three parts: intake
 * (change-intake.ts: the stream encoded into messages and confirmable positions), batch sending
 * (batch-sender.ts: one batch at a time to Kafka, throttled) and confirm tracking
 * (confirm-tracker.ts: a transaction's end LSN is confirmed to PostgreSQL only once Kafka
 * acknowledged every message before it). This part joins them and applies backpressure:
 * reading pauses while too many bytes wait for acknowledgement.
 */
export class ChangePipeline {
  private readonly intake: ChangeIntake;
  private readonly sender: BatchSender;
  private readonly tracker: ConfirmTracker;
  private readonly startedAt: number;
  private pausedForBackpressure = false;
  private failed: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  private readonly highWater: number;
  private readonly lowWater: number;
  private readonly now: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.highWater = options.highWaterBytes ?? 8 * 1024 * 1024;
    this.lowWater = options.lowWaterBytes ?? 2 * 1024 * 1024;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.tracker = new ConfirmTracker(options.confirmedLsn, (lsn) => void options.source.confirm(lsn).catch(() => undefined));
    this.sender = new BatchSender({
      sink: options.sink,
      // Kafka refuses a record batch above the broker's message.max.bytes (1 MB by default) and
      // kafkajs sends one record batch per partition, so stay below it whatever the partitioning.
      maxBatchBytes: options.maxBatchBytes ?? 900_000,
      maxBatchMessages: options.maxBatchMessages ?? 10_000,
      throttle: options.throttle,
      now: this.now,
      onAcknowledged: () => {
        this.advance();
        if (this.pausedForBackpressure && this.sender.unacknowledgedBytes < this.lowWater && !this.intake.describingTable) {
          this.pausedForBackpressure = false;
          this.options.source.resume();
        }
      },
      onFatal: (error) => this.fail(error),
    });
    this.intake = new ChangeIntake(
      { describe: options.describe, route: options.route, onNote: options.onNote, schemaChangeTopic: options.schemaChangeTopic, tap: options.tap, now: this.now },
      {
        enqueue: (message) => this.enqueue(message),
        mark: (lsn, commitTime) => {
          this.tracker.mark(this.sender.enqueuedSeq, lsn, commitTime);
          this.advance();
        },
        describing: () => this.options.source.pause(),
        described: () => {
          if (!this.pausedForBackpressure) this.options.source.resume();
        },
        fail: (error) => this.fail(error),
      },
    );
  }

  /** Takes the next message of the stream; order is preserved even across relation lookups. */
  push(message: PgOutputMessage): void {
    this.intake.push(message);
  }

  keepalive(walEnd: bigint, replyRequested: boolean): void {
    if (this.failed) return;
    this.intake.keepalive(walEnd);
    // The server drops a client that does not answer within wal_sender_timeout.
    if (replyRequested) void this.options.source.confirm(this.tracker.confirmedLsn).catch(() => undefined);
  }

  get confirmedLsn(): bigint {
    return this.tracker.confirmedLsn;
  }

  progress(): PipelineProgress {
    const confirmed = this.tracker.confirmedLsn;
    return {
      confirmedLsn: confirmed > 0n ? formatLsn(confirmed) : null,
      delayMs: this.delayMs(),
      startBacklogRead: this.startBacklogRead(),
      ...this.intake.counts,
      rowsWritten: this.sender.rowsWritten,
      bytesWritten: this.sender.bytesWritten,
    };
  }

  /** Per-table counts of the tables that moved since the last call (see TableCounters). */
  takeTableCounts(): WorkerTableCount[] {
    return this.intake.tableCounts.takeChanged();
  }

  /** Resolves once everything received so far is acknowledged by Kafka and confirmed. */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Snapshot rows, enqueued at the current position of the stream (a high watermark): they are
   * sent in order with the changes around them. `onAcked` runs once Kafka acknowledged them all.
   */
  enqueueSnapshot(messages: readonly SizedMessage[], onAcked: () => void): void {
    this.sender.enqueueAll(messages);
    this.tracker.whenAcknowledged(this.sender.enqueuedSeq, onAcked);
    this.holdBackIfFull();
    if (!messages.length) this.advance();
  }

  /** Bytes enqueued and not yet acknowledged (the snapshot engine holds back while this is high). */
  get unacknowledgedBytes(): number {
    return this.sender.unacknowledgedBytes;
  }

  private enqueue(message: OutboundMessage): void {
    this.sender.enqueue(message, messageBytes(message));
    this.holdBackIfFull();
  }

  /** Above the high water mark the socket to PostgreSQL is paused (TCP backpressure). */
  private holdBackIfFull(): void {
    if (this.sender.unacknowledgedBytes > this.highWater && !this.pausedForBackpressure) {
      this.pausedForBackpressure = true;
      this.options.source.pause();
    }
  }

  /** Confirms what Kafka acknowledged, and wakes those waiting for the pipeline to drain. */
  private advance(): void {
    this.tracker.acknowledged(this.sender.ackedSeq);
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private isIdle(): boolean {
    return this.sender.isIdle() && this.intake.isIdle();
  }

  private startBacklogRead(): boolean {
    const end = this.options.backlogEndLsn;
    return end === undefined || this.intake.seen >= end || this.tracker.confirmedLsn >= end;
  }

  /**
   * Age of the oldest change committed on the source and not yet acknowledged by Kafka. Before the
   * backlog of the start has arrived, nothing may be in flight although changes wait on the source:
   * they committed before the start, so they are at least that old.
   */
  private delayMs(): number {
    if (this.sender.ackedSeq === this.sender.enqueuedSeq) return this.startBacklogRead() ? 0 : Math.max(0, this.now() - this.startedAt);
    const oldest = this.tracker.oldestUnconfirmedCommitTime() ?? this.intake.openTransactionCommitTime;
    return oldest !== null ? Math.max(0, this.now() - oldest) : 0;
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = error;
    this.sender.stop();
    this.intake.stop();
    this.options.source.pause();
    this.options.onFatal(error);
  }
}
