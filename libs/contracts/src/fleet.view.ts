/** GET /api/v1/schedulers (issue 19): the schedulers of the fleet, as each last published itself. */
export interface SchedulerView {
  id: string;
  host: string;
  pid: number;
  version: string;
  startedAt: string;
  lastHeartbeatAt: string;
  /** Tasks whose lease it holds. */
  tasks: number;
  /** WALBRIDGE_SCHEDULER_MAX_TASKS of that scheduler. */
  capacity: number;
  /** It takes no new task and hands its tasks over (SIGTERM or POST …/drain). */
  draining: boolean;
  taskIds: string[];
}

/** The scheduler running a task (its lease holder), as a task view names it. */
export interface TaskSchedulerView {
  id: string;
  host: string;
}

export interface SchedulerListView {
  items: SchedulerView[];
  /** Tasks every scheduler is too full to take, with the reason, while they wait. */
  waiting: { taskId: string; reason: string }[];
}
