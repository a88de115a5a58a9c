/** Levels of a task's log lines: what the worker reports, the scheduler stores and the console filters. */
export const TASK_LOG_LEVELS = ['info', 'warning', 'error'] as const;

export type TaskLogLevel = (typeof TASK_LOG_LEVELS)[number];
