/** The two policy fields that decide whether a table the task takes later gets its existing rows. */
export interface AddedTablesPolicy {
  syncMode?: 'incremental' | 'full+incremental';
  backfillAddedTables?: boolean;
}

/**
 * Whether tables a task takes after its start (added by editing a table-level task, or created
 * later in a database-level one) are backfilled: the per-task switch when set, else on exactly
 * for full+incremental tasks (a user who wanted the existing rows of the first tables wants
 * those of the later ones too; an incremental task keeps its "changes only" promise).
 */
export function backfillsAddedTables(policy: AddedTablesPolicy): boolean {
  return policy.backfillAddedTables ?? policy.syncMode === 'full+incremental';
}
