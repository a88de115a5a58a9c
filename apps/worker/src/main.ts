import { DataException, OperatorActionNeeded, SlotLostError, classifyFailure, isRetryable } from '@walbridge/domain';
import { workerTuningSchema, type WorkerTuning } from '@walbridge/contracts';
import { judgeProtocol, withProtocol, type SchedulerToWorker, type WorkerTaskConfig, type WorkerToScheduler } from '@walbridge/queue';
import { WorkerRuntime } from './worker-runtime';

/**
 * A worker process streams one task. It has no HTTP and no metadata database: the scheduler
 * that forked it sends the configuration (its tuning included) over IPC and records what the
 * worker reports. It reads no environment.
 */

function report(message: WorkerToScheduler): void {
  if (process.connected) process.send!(withProtocol(message));
}

let runtime: WorkerRuntime | undefined;
let exiting = false;

async function exit(code: number): Promise<never> {
  exiting = true;
  await runtime?.close().catch(() => undefined);
  // Give the IPC channel a moment to flush the last report.
  setTimeout(() => process.exit(code), 50);
  return new Promise<never>(() => undefined);
}

function failed(error: unknown): Promise<never> {
  const message = error instanceof Error ? error.message : String(error);
  report({
    type: 'failed',
    message,
    kind: classifyFailure(error),
    // Failures only an operator can fix (a deleted topic, a filter that no longer fits) are not retried.
    ...(isRetryable(error) ? {} : { retry: false }),
    ...(error instanceof DataException ? { dataException: { table: error.table, messageId: error.messageId } } : {}),
    ...(error instanceof SlotLostError ? { slotLost: { slot: error.slot, reason: error.reason, sinceLsn: error.sinceLsn, figures: error.figures } } : {}),
  });
  return exit(1);
}

/** The start message's tuning (the scheduler validated its environment); defaults when none came. */
function tuningOf(config: WorkerTaskConfig): WorkerTuning {
  const parsed = workerTuningSchema.safeParse(config.tuning ?? {});
  if (parsed.success) return parsed.data;
  // Only a scheduler of another version can send this: a retry would fail the same way.
  throw new OperatorActionNeeded(`the start message's tuning is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

function taskArg(): string {
  return process.argv.find((a) => a.startsWith('--task=') || a.startsWith('--inspect-slot='))?.split('=')[1] ?? '?';
}

/** One-shot modes: do the job, report, exit. */
function runOnce(work: Promise<void>, slotDropped: boolean): Promise<void> {
  return work.then(() => report({ type: 'stopped', slotDropped })).then(() => exit(0));
}

process.on('message', (message: SchedulerToWorker) => {
  const verdict = judgeProtocol(message, `the scheduler's ${String((message as { type?: unknown })?.type)} message`, 'this worker');
  if (!verdict.accepted) {
    // A scheduler of another release forked this worker (upgraded in place, not yet restarted):
    // refuse with the reason in the task's log and exit; the failure policy retries the start.
    const reason = `${verdict.reason}; this worker exits`;
    console.error(`worker of task ${taskArg()}: ${reason}`);
    if (!exiting) void failed(new Error(reason));
    return;
  }
  if (message.type === 'start' && !runtime) {
    let worker: WorkerRuntime;
    try {
      worker = runtime = new WorkerRuntime(message.config, tuningOf(message.config), report);
    } catch (error) {
      void failed(error);
      return;
    }
    const work = (() => {
      switch (message.mode) {
        case 'teardown':
          return runOnce(worker.teardown(), true);
        case 'reset':
          return runOnce(worker.reset(), false);
        case 'inspect':
          return runOnce(worker.inspect(), false);
        case 'publish':
          return runOnce(worker.publishOnly(), false);
        case 'stream':
          return worker.stream();
      }
    })();
    work.catch((error: unknown) => (exiting ? undefined : failed(error)));
  } else if (message.type === 'backfill') {
    runtime?.addBackfill(message.backfill);
  } else if (message.type === 'cancelBackfill') {
    runtime?.cancelBackfill(message.backfillId);
  } else if (message.type === 'stop') {
    exiting = true;
    const stopping = runtime ? runtime.stop(message.dropSlot) : Promise.resolve();
    stopping
      .then(() => report({ type: 'stopped', slotDropped: message.dropSlot }))
      .then(() => exit(0), (error) => failed(error));
  }
});

// The scheduler is gone (crashed or killed): another one will take the task over, and a slot
// can only be streamed by one connection, so this worker must not linger.
process.on('disconnect', () => void exit(1));
process.on('unhandledRejection', (error) => void failed(error));
