import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { listTasks, type TaskListParams } from '../../api/tasks.api';

export const TASKS_REFRESH_MS = 5_000;

export const taskKeys = {
  all: ['tasks'] as const,
  list: (params: TaskListParams) => [...taskKeys.all, 'list', params] as const,
  detail: (id: string) => [...taskKeys.all, 'detail', id] as const,
};

export function useTasks(params: TaskListParams) {
  return useQuery({
    queryKey: taskKeys.list(params),
    queryFn: ({ signal }) => listTasks(params, signal),
    refetchInterval: TASKS_REFRESH_MS,
    // Keeps the current rows on screen while the next page or filter loads, so the table does not flash.
    placeholderData: keepPreviousData,
  });
}
