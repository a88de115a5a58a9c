import type { TaskView } from '@walbridge/contracts';

type TableInput = { schema: string; table: string };

export interface TableChanges {
  added: string[];
  removed: string[];
  /** Tables kept whose own settings (topic, operations, filter, columns) changed. */
  changed: string[];
  none: boolean;
  /** e.g. "adds shop.items; changes the settings of shop.orders". */
  summary: string;
}

const qualified = (t: TableInput) => `${t.schema}.${t.table}`;
const canonical = (t: object) => JSON.stringify(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1)));

/** What an edit of the table list does, table by table (as the API's task log names it). */
export function tableChanges(before: readonly TableInput[], after: readonly TableInput[]): TableChanges {
  const old = new Map(before.map((t) => [qualified(t), t]));
  const now = new Map(after.map((t) => [qualified(t), t]));
  const added = [...now.keys()].filter((k) => !old.has(k));
  const removed = [...old.keys()].filter((k) => !now.has(k));
  const changed = [...now.keys()].filter((k) => old.has(k) && canonical(old.get(k)!) !== canonical(now.get(k)!));
  const summary = [
    added.length ? `adds ${added.join(', ')}` : '',
    removed.length ? `removes ${removed.join(', ')}` : '',
    changed.length ? `changes the settings of ${changed.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return { added, removed, changed, none: !summary, summary };
}

/**
 * What the API and the schedulers do on saving, in the task's status (PRODUCT.md §4 edit
 * objects; apps/api task-edit.service): the worker restarts or the publication is altered, and
 * added tables get their existing rows when the task backfills added tables.
 */
export function objectEditEffects(task: Pick<TaskView, 'status' | 'policy'>, changes: TableChanges): string[] {
  if (changes.none) return [];
  const effects: string[] = [];
  effects.push(
    task.status === 'PAUSED'
      ? 'The task stays paused: its publication is altered now, and the changes are delivered once it is resumed.'
      : 'The worker restarts with the new tables and alters the publication (a few seconds without delivery, nothing is lost).',
  );
  if (changes.added.length) {
    const backfills = task.policy.backfillAddedTables ?? task.policy.syncMode === 'full+incremental';
    effects.push(
      backfills
        ? `A backfill reads the rows already in ${changes.added.join(', ')} (the task backfills added tables).`
        : `Only changes from now on are sent for ${changes.added.join(', ')}: its existing rows are not read (the task does not backfill added tables).`,
    );
  }
  if (changes.removed.length) effects.push(`Changes to ${changes.removed.join(', ')} are no longer sent; what is already in Kafka stays.`);
  effects.push('No new precheck is needed: the API checks each table’s settings on saving.');
  return effects;
}
