import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { policySchema } from '@walbridge/contracts';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { getSourceObjects } from '../../api/source-objects.api';
import { updateTask } from '../../api/tasks.api';
import { SubmitProblemNotice } from '../../ui/form-fields';
import { ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useApiSubmit, zodFormResolver } from '../../ui/zod-form';
import { taskKeys } from '../tasks/use-tasks.query';
import { ObjectTree } from '../wizard/object-tree';
import { useTopicSuggestions } from '../wizard/pick-lists';
import { policyInput, tableInput, valuesFromTask, type PolicyValues } from '../wizard/wizard-values';
import { EditorCard } from './editor-card';
import { objectEditEffects, tableChanges } from './object-edit-effects';

const TABLE_FIELD = /^tables(\.\d+(\.\w+)*)?$/;

/**
 * Issue 15 feature 2: the tables of a running or paused table-level task and their own settings
 * (topic, operations, row filter, columns), in the wizard's object tree. Saved with the API's
 * rules (its 400s land at the table and field they name); what the API then does is said first.
 */
export function TaskObjectsEditor({ task }: { task: TaskDetail }) {
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  if (!task.allowedOperations.includes('editObjects') || task.policy.objectScope !== 'tables') return null;
  return (
    <EditorCard
      id="objects-edit-title"
      title="Tables"
      openLabel="Edit tables"
      saved={saved}
      open={open}
      onOpen={() => {
        setSaved(null);
        setOpen(true);
      }}
    >
      <ObjectsForm
        task={task}
        onDone={(message) => {
          setSaved(message);
          setOpen(false);
        }}
      />
    </EditorCard>
  );
}

function ObjectsForm({ task, onDone }: { task: TaskDetail; onDone: (message: string | null) => void }) {
  const queryClient = useQueryClient();
  const initial = valuesFromTask(task).policy;
  const form = useForm<PolicyValues>({ defaultValues: initial, resolver: zodFormResolver(policyInput, policySchema) });
  const { run, problem } = useApiSubmit(form, (p) => TABLE_FIELD.test(p), 'policy.');
  const objects = useQuery({ queryKey: ['tasks', 'source-objects', task.id], queryFn: ({ signal }) => getSourceObjects(task.id, signal), staleTime: 60_000 });
  const topics = useTopicSuggestions(task.id);
  const tables = useWatch({ control: form.control, name: 'tables' });
  const changes = tableChanges(initial.tables.map(tableInput), (tables ?? []).map(tableInput));
  const effects = objectEditEffects(task, changes);

  const save = async (values: PolicyValues) => {
    const updated = await updateTask(task.id, { policy: { tables: values.tables.map(tableInput) } });
    queryClient.setQueryData(taskKeys.detail(task.id), (old: TaskDetail | undefined) => (old ? { ...old, ...updated } : old));
    void queryClient.invalidateQueries({ queryKey: taskKeys.all });
    onDone(changes.none ? null : `Saved. ${effects.join(' ')}`);
  };

  return (
    <FormProvider {...form}>
      <form onSubmit={run(save)} noValidate aria-label="Edit tables">
        {objects.isPending ? (
          <LoadingPanel>Reading the schemas and tables of the source…</LoadingPanel>
        ) : objects.error ? (
          <ErrorPanel
            title="Could not read the source's tables"
            error={objects.error}
            action={
              <button type="button" className="button" onClick={() => void objects.refetch()}>
                Try again
              </button>
            }
          />
        ) : (
          <ObjectTree objects={objects.data} scope="tables" topics={topics} />
        )}
        <div className="notice notice--info" aria-label="What saving does">
          <p>{changes.none ? 'No table changed yet.' : `This edit ${changes.summary}.`}</p>
          {!changes.none && (
            <ul>
              {effects.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
        </div>
        <SubmitProblemNotice problem={problem} />
        <div className="wizard-actions">
          <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting || changes.none}>
            Save tables
          </button>
          <button type="button" className="button" onClick={() => onDone(null)}>
            Cancel
          </button>
        </div>
      </form>
    </FormProvider>
  );
}
