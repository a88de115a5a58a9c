import type { Queue } from 'bullmq';
import type { FleetService } from '../../fleet/fleet.service';
import type { TaskEntity, TaskLogRepository, TaskRepository, TaskRuntimePatch } from '@walbridge/persistence';

/** Only for unit specs: a task row as the API reads it, with the fields a view needs. */
export function taskRow(over: Partial<TaskEntity> = {}): TaskEntity {
  const config = {
    name: 'orders',
    source: { host: 'db', port: 5432, database: 'shop', user: 'cdc' },
    destination: { bootstrapServers: ['kafka:9092'] },
    policy: { objectScope: 'tables', tables: [] },
    secretsSet: { source: true, destination: false, clientKey: false },
  };
  return {
    id: 't1',
    name: 'orders',
    status: 'INCREMENTAL',
    config,
    secrets: Buffer.from('sealed'),
    slotName: 'walbridge_t1',
    publicationName: 'walbridge_t1',
    confirmedLsn: '0/16B3748',
    delaySeconds: null,
    requestedOperation: null,
    precheckRequired: false,
    scheduledStartAt: null,
    failingSince: null,
    failureKind: null,
    retryUntil: null,
    autoStopAt: null,
    retryExhaustedAt: null,
    slotExists: true,
    slotRetainedBytes: null,
    slotCheckedAt: null,
    slotCreatedLsn: null,
    lastError: null,
    delayAlarm: null,
    walAlarmSince: null,
    createdAt: new Date('2026-12-03T10:00:00.000Z'),
    updatedAt: new Date('2026-12-03T10:00:00.000Z'),
    ...over,
  } as TaskEntity;
}

/**
 * The tasks table, task log and control queue as plain data. `interfere` runs before a
 * transition, like another operation committed between the read and the write.
 */
export function fakeTaskStore(rows: TaskEntity[]) {
  const byId = new Map(rows.map((t) => [t.id, { ...t }]));
  const logs: { taskId: string; level: string; message: string }[] = [];
  const jobs: { name: string; data: unknown; opts: Record<string, unknown> }[] = [];
  const state = { interfere: undefined as undefined | ((row: TaskEntity) => void) };
  const tasks = {
    findById: async (id: string) => (byId.has(id) ? { ...byId.get(id)! } : null),
    transition: async (id: string, from: TaskEntity['status'][], to: TaskEntity['status'], patch: TaskRuntimePatch = {}, unchangedSince?: Pick<TaskEntity, 'config'>) => {
      const row = byId.get(id);
      if (row && state.interfere) state.interfere(row);
      if (!row || !from.includes(row.status)) return false;
      if (unchangedSince && JSON.stringify(unchangedSince.config) !== JSON.stringify(row.config)) return false;
      Object.assign(row, patch, { status: to });
      return true;
    },
  };
  const configOf = (t: Pick<TaskEntity, 'config' | 'secrets'>) => JSON.stringify([t.config, t.secrets?.toString('base64') ?? null]);
  Object.assign(tasks, {
    insert: async (row: Partial<TaskEntity>) => {
      const created = taskRow({ ...row, createdAt: new Date(), updatedAt: new Date() });
      byId.set(created.id, created);
      return { ...created };
    },
    /** Like the SQL: only while the configuration and credentials are the ones read, in one of `statuses`. */
    replaceConfig: async (current: Pick<TaskEntity, 'id' | 'config' | 'secrets'>, statuses: TaskEntity['status'][], patch: Partial<TaskEntity>) => {
      const row = byId.get(current.id);
      if (row && state.interfere) state.interfere(row);
      if (!row || !statuses.includes(row.status) || configOf(row) !== configOf(current)) return false;
      Object.assign(row, patch);
      return true;
    },
  });
  const taskLogs = { append: async (taskId: string, level: string, message: string) => void logs.push({ taskId, level, message }) };
  const queue = { add: async (name: string, data: unknown, opts: Record<string, unknown>) => void jobs.push({ name, data, opts }) };
  return {
    tasks: tasks as unknown as TaskRepository,
    logs: taskLogs as unknown as TaskLogRepository,
    queue: queue as unknown as Queue,
    rows: byId,
    logLines: logs,
    jobs,
    state,
  };
}

/** Only for unit specs: a fleet in which no scheduler holds any task. */
export const noFleet = { placements: async () => () => null } as unknown as FleetService;
