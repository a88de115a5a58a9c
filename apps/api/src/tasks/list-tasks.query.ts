import { z } from 'zod';
import { TASK_STATUSES } from '@walbridge/contracts';

export const listTasksQuerySchema = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  q: z.string().max(100).optional(),
  // Bounded: page=1e300 is an integer too, and its offset no database takes.
  page: z.coerce.number().int('page must be an integer').min(1, 'page must be 1-1000000').max(1_000_000, 'page must be 1-1000000').default(1),
  pageSize: z.coerce.number().int('pageSize must be an integer').min(1, 'pageSize must be 1-100').max(100, 'pageSize must be 1-100').default(20),
});

export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;
