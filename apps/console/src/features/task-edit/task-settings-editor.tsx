import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { z } from 'zod';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { updateTask } from '../../api/tasks.api';
import { SubmitProblemNotice } from '../../ui/form-fields';
import { useApiSubmit, zodFormResolver } from '../../ui/zod-form';
import { taskKeys } from '../tasks/use-tasks.query';
import { EditorCard } from './editor-card';
import { RunSettingsFields } from './run-settings-fields';
import { RUN_SETTINGS_SCHEMAS, runSettingsFromTask, runSettingsInput, runSettingsPatch, type RunSettingsValues } from './run-settings-values';

const settingsSchema = z.object({
  alarms: RUN_SETTINGS_SCHEMAS.alarms.partial(),
  throttle: RUN_SETTINGS_SCHEMAS.throttle,
  retry: RUN_SETTINGS_SCHEMAS.retry,
});

const SETTINGS_FIELD = /^(alarms|throttle|retry)\.\w+$/;

/**
 * Issue 15 feature 2: a running, paused or failing task's throttle, retry windows and alarm
 * limits, saved with the API's rules (its 400s land next to the fields). A streaming task's
 * worker restarts to use them; a paused or failed one uses them from its next start.
 */
export function TaskSettingsEditor({ task }: { task: TaskDetail }) {
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const form = useForm<RunSettingsValues>({ defaultValues: runSettingsFromTask(task), resolver: zodFormResolver((v: RunSettingsValues) => runSettingsInput(v), settingsSchema) });
  const { run, problem } = useApiSubmit(form, (p) => SETTINGS_FIELD.test(p));
  const streaming = task.status === 'INCREMENTAL' || task.status === 'FULL_SYNC';

  if (!task.allowedOperations.includes('editSettings')) return null;
  const save = async (values: RunSettingsValues) => {
    const updated = await updateTask(task.id, runSettingsPatch(task, values));
    queryClient.setQueryData(taskKeys.detail(task.id), (old: TaskDetail | undefined) => (old ? { ...old, ...updated } : old));
    void queryClient.invalidateQueries({ queryKey: taskKeys.all });
    form.reset(runSettingsFromTask(updated));
    setSaved(streaming ? 'Saved: the worker restarts to use the new settings.' : 'Saved: the task uses them from its next start.');
    setOpen(false);
  };

  return (
    <EditorCard
      id="run-settings-title"
      title="Throttle, retry and alarm limits"
      openLabel="Edit settings"
      saved={saved}
      open={open}
      onOpen={() => {
        form.reset(runSettingsFromTask(task));
        setSaved(null);
        setOpen(true);
      }}
    >
      <FormProvider {...form}>
        <form onSubmit={run(save)} noValidate aria-label="Edit settings">
          <RunSettingsFields />
          <SubmitProblemNotice problem={problem} />
          <div className="wizard-actions">
            <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
              Save settings
            </button>
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </FormProvider>
    </EditorCard>
  );
}
