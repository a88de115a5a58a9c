import { z } from 'zod';

const HOUR_MS = 3_600_000;
/** A period or timeout in milliseconds; coerced, so environment text and message numbers both parse. */
const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).max(HOUR_MS).default(fallback);
const MB = 1024 * 1024;
const bytes = (min: number, fallback: number) => z.coerce.number().int().min(min).max(1024 * MB).default(fallback);

/**
 * How a worker paces itself. The scheduler reads these from its environment once at boot
 * (apps/scheduler/src/worker-tuning.ts: a bad value stops it, naming the variable) and sends
 * them in every start message, so the worker reads no environment of its own. A start message
 * without them (an older scheduler) gets the defaults, the production values.
 */
export const workerTuningSchema = z
  .object({
    /** How often a streaming worker writes a heartbeat into the source's WAL, so an idle slot still moves. */
    heartbeatMs: ms(100, 60_000),
    /** How often a streaming worker reports the WAL its slot retains (PRODUCT.md §6). */
    slotReportMs: ms(100, 5000),
    /** How long a worker may take from its start to streaming (a stalled server fails the start as a network failure). */
    startDeadlineMs: ms(1000, 120_000),
    /** Tables a snapshot reads at the same time (one connection and one chunk in flight each). */
    snapshotParallel: z.coerce.number().int().min(1).max(64).default(2),
    /** How often a streaming worker checks that its topics, and its selected tables, still exist. */
    topicCheckMs: ms(100, 5000),
    /** How often a streaming worker looks for tables created (or re-created) since its start. */
    tableDiscoveryMs: ms(100, 5000),
    /**
     * The largest batch sent to Kafka, whatever the topics allow (they may lower it): below the
     * broker's per-batch limit (message.max.bytes, 1 MB by default).
     */
    maxBatchBytes: bytes(1024, 900_000),
    maxBatchMessages: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /** Unacknowledged bytes above which reading from PostgreSQL pauses (TCP backpressure)... */
    backpressureHighBytes: bytes(1024, 8 * MB),
    /** ...and below which it resumes. */
    backpressureLowBytes: bytes(0, 2 * MB),
  })
  .refine((t) => t.backpressureLowBytes < t.backpressureHighBytes, {
    path: ['backpressureLowBytes'],
    message: 'must be below the high water mark',
  });

export type WorkerTuning = z.output<typeof workerTuningSchema>;
