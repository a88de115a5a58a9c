import type { ConnectionTarget, MessageQuery } from '@walbridge/contracts';

/** Every BullMQ queue and job of Walbridge, with its payload; nothing else names a queue. */
export enum QueueName {
  TaskControl = 'task-control',
  /** Short jobs that reach a source or a destination for the API: the API may not do it itself. */
  Probe = 'probe',
  /** Periodic scheduler work (abnormal auto-stop, slot retention checks), one run at a time cluster-wide. */
  Housekeeping = 'housekeeping',
  /** Webhook and e-mail deliveries, retried with backoff; also the one-shot "send test" of a channel. */
  Notifications = 'notifications',
}

export enum TaskControlJob {
  StartTask = 'start-task',
  StopTask = 'stop-task',
  PauseTask = 'pause-task',
  ResetTask = 'reset-task',
  DropSlot = 'drop-slot',
  /** The tables of a running or paused task were edited: alter the publication, route the new way. */
  ApplyObjects = 'apply-objects',
}

export enum HousekeepingJob {
  /** Repeating: auto-stop abnormal tasks that are due, measure the WAL retained by idle slots. */
  Sweep = 'sweep',
}

export enum NotificationJob {
  /** One delivery of a notification to one channel; the job's attempts are the retries. */
  Deliver = 'deliver',
  /** "Send test" of a channel: one attempt, its result awaited by the API. */
  TestChannel = 'test-channel',
}

export interface NotificationPayloads {
  [NotificationJob.Deliver]: { deliveryId: string };
  [NotificationJob.TestChannel]: { channelId: string };
}

/**
 * How a delivery job is retried (WALBRIDGE_NOTIFY_ATTEMPTS, exponential from WALBRIDGE_NOTIFY_RETRY_MS).
 * `jobId`: the delivery's id for its first round (enqueuing twice is harmless); a retry a user
 * asked for gets its own id, since BullMQ keeps the finished job of the first round for a while.
 */
export function deliveryJobOptions(settings: { attempts: number; retryMs: number }, jobId: string) {
  return {
    jobId,
    attempts: settings.attempts,
    backoff: { type: 'exponential' as const, delay: settings.retryMs },
    removeOnComplete: 1000,
    removeOnFail: 1000,
  };
}

export interface TaskJobPayload {
  taskId: string;
  /** Who asked, for the task log and the audit trail. */
  requestedBy: string;
}

export interface TaskControlPayloads {
  /** Also resume: the task is STARTING again and streams from its slot's confirmed LSN. */
  [TaskControlJob.StartTask]: TaskJobPayload;
  [TaskControlJob.StopTask]: TaskJobPayload & { force: boolean };
  [TaskControlJob.PauseTask]: TaskJobPayload;
  [TaskControlJob.ResetTask]: TaskJobPayload;
  [TaskControlJob.DropSlot]: TaskJobPayload;
  [TaskControlJob.ApplyObjects]: TaskJobPayload;
}

export enum ProbeJob {
  /** A connection given in the request (before a task exists). */
  TestConnection = 'test-connection',
  /** The saved source or destination of a task. */
  TestTaskConnection = 'test-task-connection',
  ListSourceObjects = 'list-source-objects',
  RunPrecheck = 'run-precheck',
  /** The message browser: the latest messages of a task's topics, awaited by the API. */
  BrowseMessages = 'browse-messages',
  /** The topic pick lists: the topics of a task's cluster with their partition counts. */
  ListTopics = 'list-topics',
}

export interface ProbePayloads {
  /**
   * The connection travels sealed with the master key (AES-256-GCM, bound to `nonce`): BullMQ
   * keeps job data in Redis, where a password must not sit in clear.
   */
  [ProbeJob.TestConnection]: { target: ConnectionTarget; sealed: string; nonce: string };
  /** `sealed`/`nonce`: passwords typed to replace the saved ones (sealed as in TestConnection), tested before they are saved. */
  [ProbeJob.TestTaskConnection]: { taskId: string; target: ConnectionTarget; sealed?: string; nonce?: string };
  [ProbeJob.ListTopics]: { taskId: string };
  [ProbeJob.ListSourceObjects]: { taskId: string };
  [ProbeJob.RunPrecheck]: { taskId: string; runId: string };
  [ProbeJob.BrowseMessages]: { taskId: string; query: MessageQuery };
}

export type HousekeepingPayloads = Record<HousekeepingJob.Sweep, Record<string, never>>;
