import type { PrecheckItemState, PrecheckResult, PrecheckRunStatus } from '@walbridge/vocabulary';
import { z } from 'zod';

/** POST /tasks/{id}/precheck: options of one run. */
export const startPrecheckSchema = z
  .object({
    /** A transaction open longer than this blocks the creation of the slot (default 300 s). */
    longTransactionSeconds: z.number().int().min(1, 'longTransactionSeconds must be 1-86400').max(86400, 'longTransactionSeconds must be 1-86400').optional(),
  })
  .default({});
export type StartPrecheckInput = z.output<typeof startPrecheckSchema>;

export interface PrecheckItemView {
  id: string;
  /** Stable identifier of the check, e.g. "wal-level". */
  key: string;
  name: string;
  description: string;
  target: 'source' | 'destination' | 'task';
  result: PrecheckItemState;
  reason: string | null;
  /** The SQL, setting or command that fixes it. */
  suggestion: string | null;
  affectedObjects: string[];
  /** Only ALARM items can be (and must be) confirmed before the task is submitted. */
  confirmed: boolean;
  confirmedAt: string | null;
}

export interface PrecheckRunView {
  id: string;
  taskId: string;
  status: PrecheckRunStatus;
  /** Overall result once finished: FAILED if any item failed, else ALARM if any alarmed, else PASSED. */
  result: PrecheckResult | null;
  progress: { done: number; total: number };
  /** Percentage of items that PASSED (0-100). */
  successRate: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** The task's configuration changed after this run: check again before submitting. */
  outdated: boolean;
  /** The task may be submitted on this run's account. */
  submittable: boolean;
  /** Why not, when it may not be submitted. */
  blockers: string[];
  items: PrecheckItemView[];
}
