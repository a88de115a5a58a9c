import type { CreateTaskInput, Page, TaskLogLevel, TaskSort, TaskStatus, TaskView } from '@walbridge/contracts';
import { fetchJson } from './api-client';
import type { TaskDetail, TaskLogPage, TaskOperationName } from './task-lifecycle.types';

export interface TaskListParams {
  page: number;
  pageSize: number;
  status?: TaskStatus;
  q?: string;
  sort?: TaskSort;
  /** Only tasks that need someone (failed, leftover slot, WAL or delay above its alarm). */
  attention?: boolean;
}

const taskPath = (id: string) => `/tasks/${encodeURIComponent(id)}`;

export function listTasks(params: TaskListParams, signal?: AbortSignal): Promise<Page<TaskDetail>> {
  const { attention, ...rest } = params;
  return fetchJson<Page<TaskDetail>>('/tasks', { query: { ...rest, ...(attention ? { attention: 'true' } : {}) }, signal });
}

export function getTask(id: string, signal?: AbortSignal): Promise<TaskDetail> {
  return fetchJson<TaskDetail>(taskPath(id), { signal });
}

export function createTask(input: CreateTaskInput): Promise<TaskView> {
  return fetchJson<TaskView>('/tasks', { method: 'POST', body: input });
}

/** JSON merge patch: objects merge, arrays and values replace, null removes an optional field. */
export function updateTask(id: string, patch: Record<string, unknown>): Promise<TaskView> {
  return fetchJson<TaskView>(taskPath(id), { method: 'PATCH', body: patch });
}

export function submitTask(id: string, startAt?: string): Promise<TaskView> {
  return fetchJson<TaskView>(`${taskPath(id)}/submit`, { method: 'POST', body: startAt ? { startAt } : {} });
}

/** The operations of PRODUCT.md §4 after submit, each `POST /tasks/{id}/<path>` (delete is DELETE). */
export type TaskAction = Exclude<TaskOperationName, 'edit' | 'editObjects' | 'editSettings' | 'precheck' | 'submit'>;

export const TASK_ACTION_ROUTES: Record<TaskAction, { method: 'POST' | 'DELETE'; path: string }> = {
  pause: { method: 'POST', path: '/pause' },
  resume: { method: 'POST', path: '/resume' },
  stop: { method: 'POST', path: '/stop' },
  forceStop: { method: 'POST', path: '/force-stop' },
  reset: { method: 'POST', path: '/reset' },
  dropSlot: { method: 'POST', path: '/drop-slot' },
  delete: { method: 'DELETE', path: '' },
};

/** Newer APIs answer operations with `warnings` (what the operator must know about the consequences). */
export type TaskActionResult = (TaskDetail & { warnings?: string[] }) | undefined;

export function runTaskAction(id: string, action: TaskAction): Promise<TaskActionResult> {
  const route = TASK_ACTION_ROUTES[action];
  return fetchJson<TaskActionResult>(`${taskPath(id)}${route.path}`, { method: route.method, body: route.method === 'POST' ? {} : undefined });
}

export type { TaskLogLevel };

export function getTaskLogs(
  id: string,
  params: { levels?: TaskLogLevel[]; cursor?: string; limit?: number },
  signal?: AbortSignal,
): Promise<TaskLogPage> {
  return fetchJson<TaskLogPage>(`${taskPath(id)}/logs`, {
    query: { level: params.levels?.join(','), cursor: params.cursor, limit: params.limit ?? 50 },
    signal,
  });
}
