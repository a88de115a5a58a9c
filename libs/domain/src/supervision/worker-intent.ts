import type { WorkerMode } from '@walbridge/vocabulary';

/**
 * Why a worker process runs, which decides what its exit means:
 * stream (an unexpected exit is a failure to retry), pause / stop / forceStop (asked to end),
 * teardown (drop slot and publication for a stop), dropSlot (the same for a leftover slot),
 * reset (drop and recreate the slot), resetPending (a streaming worker killed to make way for a reset),
 * apply (a streaming worker draining so that a new one streams the edited tables), publish (alter the
 * publication of a paused task whose tables were edited), handover (a streaming worker draining so
 * that another scheduler adopts the task: a drain or a rebalance).
 */
export type WorkerIntent = 'stream' | 'pause' | 'stop' | 'forceStop' | 'teardown' | 'dropSlot' | 'reset' | 'resetPending' | 'apply' | 'publish' | 'handover';

/** What the process is started to do. */
export type SupervisedMode = WorkerMode;

/** What a decision needs to know about the worker a task has here, if any. */
export interface WorkerState {
  mode: SupervisedMode;
  intent: WorkerIntent;
}
