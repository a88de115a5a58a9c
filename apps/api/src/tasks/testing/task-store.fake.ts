import type { Queue } from 'bullmq';
import type { FleetService } from '../../fleet/fleet.service';
import { NEW_TASK_LIFECYCLE, type TaskEntity, type TaskLogRepository } from '@walbridge/persistence';
import { InMemoryTaskRepository } from '@walbridge/persistence/testing';

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
    ...NEW_TASK_LIFECYCLE,
    slotExists: true,
    lastError: null,
    createdAt: new Date('2026-12-03T10:00:00.000Z'),
    updatedAt: new Date('2026-12-03T10:00:00.000Z'),
    ...over,
  } as TaskEntity;
}

/** The API's use of the tasks table on top of the shared conditional updates: it also creates rows. */
class ApiTaskStore extends InMemoryTaskRepository {
  async insert(row: Partial<TaskEntity>): Promise<TaskEntity> {
    const created = taskRow({ ...row, createdAt: new Date(), updatedAt: new Date() });
    this.rows.set(created.id, created);
    return { ...created };
  }
}

/**
 * The tasks table, task log and control queue as plain data. `state.interfere` runs before a
 * conditional update, like another operation committed between the read and the write.
 */
export function fakeTaskStore(rows: TaskEntity[]) {
  const tasks = new ApiTaskStore(rows);
  const logs: { taskId: string; level: string; message: string }[] = [];
  const jobs: { name: string; data: unknown; opts: Record<string, unknown> }[] = [];
  const taskLogs = { append: async (taskId: string, level: string, message: string) => void logs.push({ taskId, level, message }) };
  const queue = { add: async (name: string, data: unknown, opts: Record<string, unknown>) => void jobs.push({ name, data, opts }) };
  return {
    tasks: tasks.asRepository(),
    logs: taskLogs as unknown as TaskLogRepository,
    queue: queue as unknown as Queue,
    rows: tasks.rows,
    logLines: logs,
    jobs,
    state: tasks as Pick<InMemoryTaskRepository, 'interfere'>,
  };
}

/** Only for unit specs: a fleet in which no scheduler holds any task. */
export const noFleet = { placements: async () => () => null } as unknown as FleetService;
