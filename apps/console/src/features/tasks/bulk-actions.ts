import type { TaskDetail } from '../../api/task-lifecycle.types';

/*
 * Bulk actions on the task list: each one is the task's own API operation, sent task by task, so
 * the API's operation table decides for every task (a task that may not be paused is refused with
 * the reason, the others are paused) and nothing new is needed on the server.
 */

export type BulkAction = 'pause' | 'resume' | 'stop' | 'delete' | 'tag';

export const BULK_ACTIONS: { action: BulkAction; label: string; done: string; danger?: boolean }[] = [
  { action: 'pause', label: 'Pause', done: 'paused' },
  { action: 'resume', label: 'Resume', done: 'resumed' },
  { action: 'stop', label: 'Stop', done: 'stopped', danger: true },
  { action: 'delete', label: 'Delete', done: 'deleted', danger: true },
  { action: 'tag', label: 'Tag', done: 'tagged' },
];

export interface BulkResult {
  task: Pick<TaskDetail, 'id' | 'name'>;
  /** Why the API refused this task; undefined when it accepted. */
  refused?: string;
}

/** Runs `operation` on every task, a few at a time, and says for each whether the API accepted it. */
export async function runBulk<T extends Pick<TaskDetail, 'id' | 'name'>>(tasks: readonly T[], operation: (task: T) => Promise<unknown>, concurrency = 4): Promise<BulkResult[]> {
  const results: BulkResult[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i];
      try {
        await operation(task);
        results[i] = { task: { id: task.id, name: task.name } };
      } catch (error) {
        results[i] = { task: { id: task.id, name: task.name }, refused: error instanceof Error ? error.message : String(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return results;
}

/** "2 paused, 1 refused" (the refusals are listed with their reasons under it). */
export function bulkSummary(action: BulkAction, results: readonly BulkResult[]): string {
  const done = results.filter((r) => !r.refused).length;
  const refused = results.length - done;
  const verb = BULK_ACTIONS.find((a) => a.action === action)!.done;
  return refused ? `${done} ${verb}, ${refused} refused` : `${done} ${verb}`;
}

/** The task's tags with `key` set to `value`: a key a task has already gets the new value. */
export function withTag(tags: readonly { key: string; value: string }[], key: string, value: string): { key: string; value: string }[] {
  return [...tags.filter((t) => t.key !== key), { key, value }];
}
