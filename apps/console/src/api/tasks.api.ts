import type { Page, TaskStatus, TaskView } from '@walbridge/contracts';
import { fetchJson } from './api-client';

export interface TaskListParams {
  page: number;
  pageSize: number;
  status?: TaskStatus;
  q?: string;
}

export function listTasks(params: TaskListParams, signal?: AbortSignal): Promise<Page<TaskView>> {
  return fetchJson<Page<TaskView>>('/tasks', { query: { ...params }, signal });
}

export function getTask(id: string, signal?: AbortSignal): Promise<TaskView> {
  return fetchJson<TaskView>(`/tasks/${encodeURIComponent(id)}`, { signal });
}
