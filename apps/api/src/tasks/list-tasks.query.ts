import { z } from 'zod';
import { DEFAULT_TASK_SORT, TASK_SORTS, TASK_STATUSES, type TaskSort } from '@walbridge/contracts';

export const listTasksQuerySchema = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  q: z.string().max(100).optional(),
  // Bounded: page=1e300 is an integer too, and its offset no database takes.
  page: z.coerce.number().int('page must be an integer').min(1, 'page must be 1-1000000').max(1_000_000, 'page must be 1-1000000').default(1),
  pageSize: z.coerce.number().int('pageSize must be an integer').min(1, 'pageSize must be 1-100').max(100, 'pageSize must be 1-100').default(20),
  sort: z
    .enum(TASK_SORTS as [TaskSort, ...TaskSort[]], { errorMap: () => ({ message: `sort must be one of ${TASK_SORTS.join(', ')}` }) })
    .default(DEFAULT_TASK_SORT),
  /** Only tasks that need someone: failed, a leftover slot, retained WAL or delay above its alarm. */
  attention: z
    .enum(['true', 'false'], { errorMap: () => ({ message: 'attention must be true or false' }) })
    .optional()
    .transform((v) => v === 'true'),
});

export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;
