import { z } from 'zod';
import { TASK_STATUSES } from '@walbridge/contracts';

export const listTasksQuerySchema = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;
