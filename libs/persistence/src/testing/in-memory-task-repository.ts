import type { TaskStatus } from '@walbridge/contracts';
import type { TaskEntity } from '../entities';
import { RECONCILED_OPERATIONS, RECONCILED_STATUSES, type TaskRepository, type TaskRuntimePatch } from '../repositories/task.repository';

type Unchanged = Pick<TaskEntity, 'config'> & Partial<Pick<TaskEntity, 'secrets'>>;

/** The config and credentials compared the way the SQL does (`config = :config AND secrets IS NOT DISTINCT FROM :secrets`). */
function sameConfig(row: TaskEntity, read: Unchanged): boolean {
  const secrets = (t: Partial<Pick<TaskEntity, 'secrets'>>) => t.secrets?.toString('base64') ?? null;
  return JSON.stringify(row.config) === JSON.stringify(read.config) && (!('secrets' in read) || secrets(row) === secrets(read));
}

/**
 * Only for unit specs of the API and the scheduler: TaskRepository's reads and conditional
 * updates over rows in memory, with the guards of its SQL, so a spec sees the same lost races
 * as the real table. `interfere` runs before a conditional update, like another operation that
 * committed between the read and the write.
 */
export class InMemoryTaskRepository {
  readonly rows = new Map<string, TaskEntity>();
  interfere: ((row: TaskEntity) => void) | undefined;

  constructor(rows: TaskEntity[] = []) {
    for (const row of rows) this.rows.set(row.id, { ...row });
  }

  /** This fake where a service takes the real repository. */
  asRepository(): TaskRepository {
    return this as unknown as TaskRepository;
  }

  async findById(id: string): Promise<TaskEntity | null> {
    const row = this.rows.get(id);
    return row ? { ...row } : null;
  }

  async findForReconcile(): Promise<TaskEntity[]> {
    const reconciled = (t: TaskEntity) => RECONCILED_STATUSES.includes(t.status) || (t.requestedOperation !== null && RECONCILED_OPERATIONS.includes(t.requestedOperation));
    return [...this.rows.values()].filter(reconciled).map((t) => ({ ...t }));
  }

  async update(id: string, patch: TaskRuntimePatch): Promise<void> {
    const row = this.rows.get(id);
    if (row) Object.assign(row, patch);
  }

  async transition(id: string, from: TaskStatus[], to: TaskStatus, patch: TaskRuntimePatch = {}, unchangedSince?: Unchanged): Promise<boolean> {
    const row = this.rows.get(id);
    if (row && this.interfere) this.interfere(row);
    if (!row || !from.includes(row.status)) return false;
    if (unchangedSince && !sameConfig(row, unchangedSince)) return false;
    Object.assign(row, patch, { status: to });
    return true;
  }

  async replaceConfig(current: Pick<TaskEntity, 'id' | 'config' | 'secrets'>, statuses: TaskStatus[], patch: Partial<TaskEntity>): Promise<boolean> {
    const row = this.rows.get(current.id);
    if (row && this.interfere) this.interfere(row);
    if (!row || !statuses.includes(row.status) || !sameConfig(row, current)) return false;
    Object.assign(row, patch);
    return true;
  }
}
