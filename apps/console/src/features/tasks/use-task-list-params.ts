import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { z } from 'zod';
import { DEFAULT_TASK_SORT, TASK_SORTS, TASK_STATUSES, type TaskSort, type TaskStatus } from '@walbridge/contracts';
import type { TaskListParams } from '../../api/tasks.api';

export const TASK_PAGE_SIZE = 20;

// The URL is the state: filters survive a reload and can be shared. Anything malformed in it
// falls back to the default instead of being sent to the API and answered with a 400.
const urlParamsSchema = z.object({
  page: z.coerce.number().int().min(1).catch(1),
  status: z.enum(TASK_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
  sort: z.enum(TASK_SORTS as [TaskSort, ...TaskSort[]]).optional().catch(undefined),
  attention: z.literal('1').optional().catch(undefined),
});

export interface TaskListFilters {
  status?: TaskStatus;
  q?: string;
  /** `1` in the URL: only tasks that need attention. */
  attention?: string;
  sort?: TaskSort;
}

export function useTaskListParams() {
  const [searchParams, setSearchParams] = useSearchParams();

  const params = useMemo<TaskListParams>(() => {
    const parsed = urlParamsSchema.parse({
      page: searchParams.get('page') ?? undefined,
      status: searchParams.get('status') || undefined,
      q: searchParams.get('q') || undefined,
      sort: searchParams.get('sort') || undefined,
      attention: searchParams.get('attention') || undefined,
    });
    return { ...parsed, q: parsed.q || undefined, attention: parsed.attention === '1' || undefined, sort: parsed.sort ?? DEFAULT_TASK_SORT, pageSize: TASK_PAGE_SIZE };
  }, [searchParams]);

  const update = useCallback(
    (changes: { page?: number } & Partial<Record<keyof TaskListFilters, string | undefined>>, replace = false) => {
      setSearchParams(
        () => {
          // From the address bar as it is now, not from the render this callback was made in:
          // a search sent by a timer set before a status change must not bring the old status back.
          const next = new URLSearchParams(window.location.search);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined || value === '' || (key === 'page' && value === 1) || (key === 'sort' && value === DEFAULT_TASK_SORT)) next.delete(key);
            else next.set(key, String(value));
          }
          return next;
        },
        { replace },
      );
    },
    [setSearchParams],
  );

  /** A new filter starts again at page 1: the old page number may not exist in the new result. */
  const setFilters = useCallback(
    (filters: Partial<Record<keyof TaskListFilters, string | undefined>>, replace = false) =>
      update({ ...filters, page: 1 }, replace),
    [update],
  );
  const setPage = useCallback((page: number, replace = false) => update({ page }, replace), [update]);
  const clearFilters = useCallback(() => update({ status: undefined, q: undefined, attention: undefined, page: 1 }), [update]);

  return { params, setFilters, setPage, clearFilters };
}
