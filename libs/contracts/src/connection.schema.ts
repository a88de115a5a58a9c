import { CONNECTION_TARGETS } from '@walbridge/vocabulary';
import { z } from 'zod';
import { destinationSchema, sourceSchema } from './task.schema';

/** POST /connections/test: a source or a destination as in a task, before the task exists. */
export const connectionTestSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('source'), connection: sourceSchema }),
    z.object({ type: z.literal('destination'), connection: destinationSchema }),
  ],
  { errorMap: () => ({ message: 'type must be "source" or "destination"' }) },
);

// PRODUCT.md §9 puts the connection fields next to `type`; the nested form above is what the
// schemas validate, so the flat body is folded into it first.
export const connectionTestBodySchema = z.preprocess((body) => {
  if (body && typeof body === 'object' && !Array.isArray(body) && !('connection' in body)) {
    const { type, ...connection } = body as Record<string, unknown>;
    return { type, connection };
  }
  return body;
}, connectionTestSchema);

export const taskConnectionTestQuerySchema = z.object({
  target: z.enum(CONNECTION_TARGETS, { errorMap: () => ({ message: 'target must be source or destination' }) }),
});

const newPassword = z.string().min(1, 'password may not be empty').max(1024, 'password must be at most 1024 characters').optional();

/**
 * POST /tasks/{id}/test-connection's optional body: passwords typed to replace the saved ones,
 * tested with the task's other saved settings before they are saved (field names as in PATCH).
 */
export const taskConnectionTestBodySchema = z
  .object({
    source: z.object({ password: newPassword }).strict('source takes password only').optional(),
    destination: z
      .object({ password: newPassword, schemaRegistry: z.object({ password: newPassword }).strict('schemaRegistry takes password only').optional() })
      .strict('destination takes password and schemaRegistry.password only')
      .optional(),
  })
  .strict('the body takes source.password, destination.password and destination.schemaRegistry.password only');

export type TaskConnectionTestBody = z.output<typeof taskConnectionTestBodySchema>;

export type ConnectionTestInput = z.output<typeof connectionTestSchema>;
