/**
 * Where the schedulers of a fleet publish themselves (Redis, next to the queues and leases):
 * each one writes its record every heartbeat with a TTL of three heartbeats, so a scheduler that
 * dies drops out of the fleet on its own. The api reads these keys for GET /schedulers and the
 * Prometheus gauges, and asks a scheduler to drain by writing its drain key; it never calls a
 * scheduler directly.
 */
export interface SchedulerRecord {
  id: string;
  host: string;
  pid: number;
  version: string;
  startedAt: string;
  heartbeatAt: string;
  tasks: number;
  capacity: number;
  draining: boolean;
  /** The ids of the tasks it holds the lease of. */
  taskIds: string[];
}

export const fleetKeys = {
  scheduler: (prefix: string, id: string) => `${prefix}:fleet:scheduler:${id}`,
  schedulerPattern: (prefix: string) => `${prefix}:fleet:scheduler:*`,
  drain: (prefix: string, id: string) => `${prefix}:fleet:drain:${id}`,
  /** A task no scheduler could take because all are full: the reason, while it lasts. */
  waiting: (prefix: string, taskId: string) => `${prefix}:fleet:waiting:${taskId}`,
  lease: (prefix: string, taskId: string) => `${prefix}:lease:task:${taskId}`,
  /** Pub/sub: a task whose lease was just released on purpose (drain, handover), to adopt now. */
  releasedChannel: (prefix: string) => `${prefix}:fleet:released`,
} as const;

export function parseSchedulerRecord(text: string | null): SchedulerRecord | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<SchedulerRecord>;
    return typeof value.id === 'string' && typeof value.tasks === 'number' ? (value as SchedulerRecord) : null;
  } catch {
    return null;
  }
}
