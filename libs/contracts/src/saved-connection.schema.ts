import type { ConnectionTarget, TaskStatus } from '@walbridge/vocabulary';
import { z } from 'zod';
import type { ConnectionProblem } from './connection.view';
import { destinationSchema, sourceSchema } from './task.schema';

const connectionName = z
  .string({ required_error: 'name is required' })
  .trim()
  .min(1, 'name is required')
  .max(64, 'name must be at most 64 characters')
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'name may not contain control characters');

/**
 * POST /connections: a named source (PostgreSQL) or destination (Kafka) a task can reference by
 * `source.connectionId` / `destination.connectionId`, so its password is typed once. The
 * settings are those of a task's source or destination.
 */
export const createSavedConnectionSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('source'), name: connectionName, connection: sourceSchema }),
    z.object({ type: z.literal('destination'), name: connectionName, connection: destinationSchema }),
  ],
  { errorMap: (issue, ctx) => (issue.code === z.ZodIssueCode.invalid_union_discriminator ? { message: 'type must be "source" or "destination"' } : { message: ctx.defaultError }) },
);
export type CreateSavedConnectionInput = z.input<typeof createSavedConnectionSchema>;
export type SavedConnectionConfig = z.output<typeof createSavedConnectionSchema>;

/** PATCH /connections/{id}: a JSON merge patch; the result is validated like a new connection. */
export const updateSavedConnectionSchema = z.record(z.unknown(), { invalid_type_error: 'the body must be a JSON object' });

/** The latest Test Connection of a saved connection. */
export interface SavedConnectionTest {
  ok: boolean;
  problem?: ConnectionProblem;
  message: string;
  at: string;
}

/** A task that references the connection (deleting the connection is refused while there is one). */
export interface ConnectionUser {
  id: string;
  name: string;
  status: TaskStatus;
}

/** What the API returns for a saved connection: secrets are write-only, only their presence is shown. */
export interface SavedConnectionView {
  id: string;
  name: string;
  type: ConnectionTarget;
  /** The settings without password, client key and registry password. */
  connection: Record<string, unknown> & { passwordSet: boolean; clientKeySet?: boolean };
  lastTest: SavedConnectionTest | null;
  usedBy: ConnectionUser[];
  createdAt: string;
  updatedAt: string;
}

/** PATCH /connections/{id}: the connection, and the tasks that took the edit. */
export interface SavedConnectionUpdate extends SavedConnectionView {
  tasksUpdated: ConnectionUser[];
}
