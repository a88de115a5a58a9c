import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { tagSchema } from '@walbridge/contracts';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { runTaskAction, updateTask } from '../../api/tasks.api';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { BULK_ACTIONS, bulkSummary, runBulk, withTag, type BulkAction, type BulkResult } from './bulk-actions';
import { taskKeys } from './use-tasks.query';

interface TaskBulkActionsProps {
  /** The selected tasks on this page. */
  tasks: TaskDetail[];
  /** Changes the selection (after a bulk action only the refused stay selected). */
  onSelect: (ids: Set<string>) => void;
}

const plural = (n: number) => `${n} task${n === 1 ? '' : 's'}`;

/** The bar over the list while tasks are selected: one confirm for all, then what each task did. */
export function TaskBulkActions({ tasks, onSelect }: TaskBulkActionsProps) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<BulkAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ action: BulkAction; results: BulkResult[] } | null>(null);
  const [tag, setTag] = useState({ key: '', value: '' });
  const [tagError, setTagError] = useState<string | undefined>();
  const keyId = useId();
  const valueId = useId();

  const confirm = async (action: BulkAction) => {
    let parsedTag: { key: string; value: string } | undefined;
    if (action === 'tag') {
      const parsed = tagSchema.safeParse({ key: tag.key.trim(), value: tag.value.trim() });
      if (!parsed.success) {
        setTagError(parsed.error.issues[0].message);
        return;
      }
      parsedTag = parsed.data;
    }
    setBusy(true);
    const results = await runBulk(tasks, (task) =>
      parsedTag ? updateTask(task.id, { tags: withTag(task.tags, parsedTag.key, parsedTag.value) }) : runTaskAction(task.id, action as Exclude<BulkAction, 'tag'>),
    );
    setBusy(false);
    setAsking(null);
    setOutcome({ action, results });
    void queryClient.invalidateQueries({ queryKey: taskKeys.all });
    // What was done leaves the selection; the refused stay selected, to try something else on them.
    onSelect(new Set(results.filter((r) => r.refused).map((r) => r.task.id)));
  };

  const current = BULK_ACTIONS.find((a) => a.action === asking);
  return (
    <>
      {tasks.length > 0 && (
        <div className="bulk-bar" role="toolbar" aria-label="Bulk actions">
          <span className="bulk-bar__count" role="status">
            {plural(tasks.length)} selected
          </span>
          {BULK_ACTIONS.map((a) => (
            <button
              key={a.action}
              type="button"
              className={`button button--small${a.danger ? ' button--danger-outline' : ''}`}
              onClick={() => {
                setOutcome(null);
                setTagError(undefined);
                setAsking(a.action);
              }}
            >
              {a.label}
            </button>
          ))}
          <button type="button" className="button button--small" onClick={() => onSelect(new Set())}>
            Clear selection
          </button>
        </div>
      )}
      {outcome && <BulkOutcome action={outcome.action} results={outcome.results} onDismiss={() => setOutcome(null)} />}
      {current && (
        <ConfirmDialog
          open
          title={`${current.label} ${plural(tasks.length)}?`}
          confirmLabel={`${current.label} ${plural(tasks.length)}`}
          danger={current.danger}
          typeToConfirm={current.action === 'delete' ? `delete ${plural(tasks.length)}` : undefined}
          busy={busy}
          onConfirm={() => void confirm(current.action)}
          onCancel={() => setAsking(null)}
        >
          <p>{BULK_EXPLANATION[current.action]}</p>
          <ul className="bulk-names">
            {tasks.map((t) => (
              <li key={t.id}>{t.name}</li>
            ))}
          </ul>
          {current.action === 'tag' && (
            <div className="field-row">
              <div className={`field${tagError ? ' field--invalid' : ''}`}>
                <label htmlFor={keyId}>Tag key</label>
                <input
                  id={keyId}
                  value={tag.key}
                  autoComplete="off"
                  aria-invalid={tagError ? true : undefined}
                  aria-describedby={tagError ? `${keyId}-error` : undefined}
                  onChange={(e) => setTag({ ...tag, key: e.target.value })}
                />
                {tagError && (
                  <p className="field__error" id={`${keyId}-error`} role="alert">
                    {tagError}
                  </p>
                )}
              </div>
              <div className="field">
                <label htmlFor={valueId}>Tag value</label>
                <input id={valueId} value={tag.value} autoComplete="off" onChange={(e) => setTag({ ...tag, value: e.target.value })} />
              </div>
            </div>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}

const BULK_EXPLANATION: Record<BulkAction, string> = {
  pause: 'Each task stops reading changes; its replication slot stays and keeps WAL on the source until it is resumed. Tasks that are not streaming are refused.',
  resume: 'Each paused or failed task streams again from its confirmed position. The others are refused.',
  stop: 'Each task delivers what is in flight, then its replication slot and publication are dropped; it ends as Completed and cannot be started again.',
  delete: 'Each task disappears from the list and its stored credentials are wiped. Tasks still running are refused: stop them first.',
  tag: 'The tag is set on each task; a task that has this key already gets the new value.',
};

/** "2 paused, 1 refused:" and each refused task with the API's reason. */
function BulkOutcome({ action, results, onDismiss }: { action: BulkAction; results: BulkResult[]; onDismiss: () => void }) {
  const refused = results.filter((r) => r.refused);
  return (
    <div className={`notice ${refused.length ? 'notice--warning' : 'notice--info'} bulk-outcome`} role="status">
      <p>
        <strong>
          {bulkSummary(action, results)}
          {refused.length ? ':' : '.'}
        </strong>
      </p>
      {refused.length > 0 && (
        <ul>
          {refused.map((r) => (
            <li key={r.task.id}>
              {r.task.name}: {r.refused}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="button button--small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
