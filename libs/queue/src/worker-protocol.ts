import type { DestinationConfig, PolicyConfig, SourceConfig, TaskConfig } from '@walbridge/contracts';

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
}

export type SchedulerToWorker =
  | { type: 'start'; mode: 'stream' | 'teardown'; config: WorkerTaskConfig }
  /** Drain what is in flight, confirm it, then exit; with dropSlot also drop slot and publication. */
  | { type: 'stop'; dropSlot: boolean };

export type WorkerLogLevel = 'info' | 'warning' | 'error';

export interface WorkerProgress {
  confirmedLsn: string | null;
  /** Age in ms of the oldest change committed on the source and not yet acknowledged by Kafka. */
  delayMs: number;
  rowsRead: number;
  rowsWritten: number;
  bytesWritten: number;
  inserts: number;
  updates: number;
  deletes: number;
}

export type WorkerToScheduler =
  | { type: 'log'; level: WorkerLogLevel; message: string }
  | { type: 'streaming' }
  | { type: 'progress'; progress: WorkerProgress }
  | { type: 'failed'; message: string; retryable: boolean }
  | { type: 'stopped'; slotDropped: boolean };
