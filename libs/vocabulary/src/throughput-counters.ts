/**
 * The counters a worker reports and the task's totals keep (libs/domain task-metrics): the
 * worker protocol, the metrics table, the API's view and Prometheus name the same seven.
 */
export const COUNTER_NAMES = ['rowsRead', 'rowsWritten', 'bytesRead', 'bytesWritten', 'inserts', 'updates', 'deletes'] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

export type ThroughputCounters = Record<CounterName, number>;
