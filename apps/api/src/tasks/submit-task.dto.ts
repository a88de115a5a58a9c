import { z } from 'zod';

export const submitTaskSchema = z
  .object({ startAt: z.string().datetime({ offset: true }).optional() })
  .default({});

export type SubmitTaskDto = z.output<typeof submitTaskSchema>;
