/** Every BullMQ queue and job of Walbridge, with its payload; nothing else names a queue. */
export enum QueueName {
  TaskControl = 'task-control',
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
