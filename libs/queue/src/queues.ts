/** Every BullMQ queue and job of Walbridge, with its payload; nothing else names a queue. */
export enum QueueName {
  TaskControl = 'task-control',
  /** Periodic scheduler work (abnormal auto-stop, slot retention checks), one run at a time cluster-wide. */
  Housekeeping = 'housekeeping',
}

export enum TaskControlJob {
  StartTask = 'start-task',
  StopTask = 'stop-task',
  PauseTask = 'pause-task',
  ResetTask = 'reset-task',
  DropSlot = 'drop-slot',
}

export enum HousekeepingJob {
  /** Repeating: auto-stop abnormal tasks that are due, measure the WAL retained by idle slots. */
  Sweep = 'sweep',
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
}

export type HousekeepingPayloads = Record<HousekeepingJob.Sweep, Record<string, never>>;
