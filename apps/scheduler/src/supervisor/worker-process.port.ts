import type { SchedulerToWorker, WorkerMode, WorkerToScheduler } from '@walbridge/queue';

/** One worker process as the supervisor sees it: IPC both ways, a kill, and its end. */
export interface WorkerProcess {
  readonly pid: number | undefined;
  /** It exited (with a code or by a signal). */
  readonly exited: boolean;
  /** Sent only while the IPC channel is open: a worker that is gone has nothing to read it. */
  send(message: SchedulerToWorker): void;
  /** SIGKILL. */
  kill(): void;
  onMessage(listener: (message: WorkerToScheduler) => void): void;
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** The process could not be started or signalled. */
  onError(listener: (error: Error) => void): void;
}

/**
 * Starts worker processes (Immich style: the one place that wraps `fork`, so every service
 * above it is unit-tested on a fake). The Nest token is this class.
 */
export abstract class WorkerProcessPort {
  abstract start(taskId: string, mode: WorkerMode): WorkerProcess;
}
