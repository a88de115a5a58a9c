/** Every BullMQ queue and job of Walbridge, with its payload; nothing else names a queue. */
export enum QueueName {
  TaskControl = 'task-control',
  /** Short jobs that reach a source or a destination for the API: the API may not do it itself. */
  Probe = 'probe',
}

export enum TaskControlJob {
  StartTask = 'start-task',
  StopTask = 'stop-task',
}

export interface TaskJobPayload {
  taskId: string;
  /** Who asked, for the task log and the audit trail. */
  requestedBy: string;
}

export interface TaskControlPayloads {
  [TaskControlJob.StartTask]: TaskJobPayload;
  [TaskControlJob.StopTask]: TaskJobPayload & { force: boolean };
}

export enum ProbeJob {
  /** A connection given in the request (before a task exists). */
  TestConnection = 'test-connection',
  /** The saved source or destination of a task. */
  TestTaskConnection = 'test-task-connection',
  ListSourceObjects = 'list-source-objects',
  RunPrecheck = 'run-precheck',
}

export interface ProbePayloads {
  /**
   * The connection travels sealed with the master key (AES-256-GCM, bound to `nonce`): BullMQ
   * keeps job data in Redis, where a password must not sit in clear.
   */
  [ProbeJob.TestConnection]: { target: 'source' | 'destination'; sealed: string; nonce: string };
  [ProbeJob.TestTaskConnection]: { taskId: string; target: 'source' | 'destination' };
  [ProbeJob.ListSourceObjects]: { taskId: string };
  [ProbeJob.RunPrecheck]: { taskId: string; runId: string };
}
