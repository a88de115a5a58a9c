import type { TaskView } from '@walbridge/contracts';

export type { TaskFailureView, TaskLogEntry, TaskLogPage, TaskOperationName, TaskSlotView } from '@walbridge/contracts';

/** A task as the console reads it (with its lifecycle: allowed operations, slot, failure). */
export type TaskDetail = TaskView;

/**
 * The SQL that removes a slot and publication a task left on the source, worded as the API does
 * (`slot.dropSql`), for the force stop dialog, which must show it before the slot is left over.
 */
export function slotCleanupSql(slotName: string, publicationName: string): string {
  const literal = `'${slotName.replace(/'/g, "''")}'`;
  const identifier = `"${publicationName.replace(/"/g, '""')}"`;
  return `SELECT pg_drop_replication_slot(${literal}); DROP PUBLICATION IF EXISTS ${identifier};`;
}
