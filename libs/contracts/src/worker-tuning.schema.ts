import { z } from 'zod';

const HOUR_MS = 3_600_000;
/** A period or timeout in milliseconds; coerced, so environment text and message numbers both parse. */
const ms = (min: number, fallback: number) => z.coerce.number().int().min(min).max(HOUR_MS).default(fallback);

/**
 * How a worker paces itself. The scheduler reads these from its environment once at boot
 * (apps/scheduler/src/worker-tuning.ts: a bad value stops it, naming the variable) and sends
 * them in every start message, so the worker reads no environment of its own. A start message
 * without them (an older scheduler) gets the defaults, the production values.
 */
export const workerTuningSchema = z.object({
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
});

export type WorkerTuning = z.output<typeof workerTuningSchema>;
