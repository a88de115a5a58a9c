import { useState } from 'react';
import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { z } from 'zod';
import { destinationSchema, sourceSchema, type ConnectionTarget, type ConnectionTestResult, type SavedConnectionView, type TaskView } from '@walbridge/contracts';
import { createSavedConnection, testConnection, testSavedConnection, updateSavedConnection } from '../../api/connections.api';
import { RadioGroupField, SubmitProblemNotice, TextField } from '../../ui/form-fields';
import { FormSection } from '../../ui/form-section';
import { useApiSubmit, zodFormResolver } from '../../ui/zod-form';
import { DestinationFields, NO_REUSE, SourceFields, type TestState } from '../wizard/source-destination-step';
import { connectionValuesFrom, DEFAULT_CONNECTIONS, destinationInput, replacingPatch, sourceInput, storedConnection, type ConnectionValues } from '../wizard/wizard-values';
import { asConnectionFields } from './connection-errors';

interface ConnectionFormValues extends ConnectionValues {
  type: ConnectionTarget;
  name: string;
}

const formSchema = z
  .object({ type: z.enum(['source', 'destination']), name: z.string().trim().min(1, 'name is required').max(64, 'name must be at most 64 characters') })
  .passthrough()
  .superRefine((v, ctx) => {
    const parsed = (v.type === 'source' ? sourceSchema : destinationSchema).safeParse((v as Record<string, unknown>)[v.type]);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [v.type, ...issue.path] } as z.IssueData);
  });

const settingsOf = (v: ConnectionFormValues) => (v.type === 'source' ? sourceInput(v.source) : destinationInput(v.destination));
const toInput = (v: ConnectionFormValues) => ({ type: v.type, name: v.name, [v.type]: settingsOf(v) });

/** The form's values for a saved connection: the wizard's fields, read as a task's would be. */
function valuesOf(editing: SavedConnectionView | null): ConnectionFormValues {
  if (!editing) return { type: 'source', name: '', ...DEFAULT_CONNECTIONS };
  const saved = editing.connection as unknown as TaskView['source'] & TaskView['destination'];
  const values = connectionValuesFrom(saved, saved);
  // Only the connection's own side is read from it; the other stays as a new form's.
  return { type: editing.type, name: editing.name, ...DEFAULT_CONNECTIONS, [editing.type]: { ...values[editing.type], connectionId: '' } };
}

/**
 * Create or edit a saved connection, with Test Connection. Editing with the password left blank
 * keeps the saved one (for the same endpoint only: the API asks for it again otherwise) and
 * tests what is saved.
 */
export function ConnectionForm({ editing, onSaved, onCancel }: { editing: SavedConnectionView | null; onSaved: (message: string) => void; onCancel: () => void }) {
  const form = useForm<ConnectionFormValues>({ defaultValues: valuesOf(editing), resolver: zodFormResolver(toInput, formSchema) });
  const type = useWatch({ control: form.control, name: 'type' });
  const [test, setTest] = useState<TestState | undefined>();
  const { run, problem } = useApiSubmit(form, (p) => p === 'name' || /^(source|destination)(\.\w+)+$/.test(p));

  const runTest = async () => {
    if (!(await form.trigger(type))) return setTest(undefined);
    const v = form.getValues();
    const key = JSON.stringify(v[type]);
    setTest({ state: 'running', key });
    try {
      const blankSecret = !!editing && !v[type].password;
      const result: ConnectionTestResult = blankSecret
        ? await testSavedConnection(editing.id)
        : v.type === 'source'
          ? await testConnection({ type: 'source', connection: sourceInput(v.source) })
          : await testConnection({ type: 'destination', connection: destinationInput(v.destination) });
      setTest({ state: 'done', key, result });
    } catch (error) {
      setTest({ state: 'error', key, error });
    }
  };

  const submit = run(async (v) => {
    try {
      if (!editing) {
        const created = await createSavedConnection(v.type === 'source' ? { type: 'source', name: v.name.trim(), connection: sourceInput(v.source) } : { type: 'destination', name: v.name.trim(), connection: destinationInput(v.destination) });
        onSaved(`Connection ${created.name} saved.`);
        return;
      }
      const connection = replacingPatch(storedConnection(editing.connection), settingsOf(v), ['password', 'clientKey', 'schemaRegistry.password']);
      const updated = await updateSavedConnection(editing.id, { name: v.name.trim(), connection });
      const tasks = updated.tasksUpdated.map((t) => t.name).join(', ');
      onSaved(`Connection ${updated.name} saved${tasks ? `; the tasks using it were updated: ${tasks}` : ''}.`);
    } catch (error) {
      throw asConnectionFields(v.type, error, 'name');
    }
  });

  const current = useWatch({ control: form.control }) as ConnectionFormValues;
  const shown = editing?.connection as { passwordSet?: boolean; clientKeySet?: boolean; schemaRegistry?: { passwordSet?: boolean } } | undefined;
  const secrets = { password: !!shown?.passwordSet, clientKey: !!shown?.clientKeySet, registry: !!shown?.schemaRegistry?.passwordSet };
  const stale = !!test && test.key !== JSON.stringify(current[type]);
  return (
    <FormProvider {...form}>
      <FormSection title={editing ? `Edit connection ${editing.name}` : 'New connection'} level={2} onSubmit={submit}>
        {!editing && (
          <RadioGroupField
            name="type"
            legend="Kind"
            options={[
              { value: 'source', label: 'Source database (PostgreSQL)' },
              { value: 'destination', label: 'Destination (Kafka)' },
            ]}
          />
        )}
        <TextField name="name" label="Connection name" autoComplete="off" />
        {editing && <p className="muted">Leave a password empty to keep the saved one; a new host, port, database or login needs it typed again.</p>}
        {type === 'source' ? (
          <SourceFields task={null} saved={NO_REUSE} connection={secrets} test={test} stale={stale} onTest={() => void runTest()} />
        ) : (
          <DestinationFields task={null} saved={NO_REUSE} connection={secrets} registry test={test} stale={stale} onTest={() => void runTest()} />
        )}
        <SubmitProblemNotice problem={problem} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
            {editing ? 'Save changes' : 'Save connection'}
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </FormSection>
    </FormProvider>
  );
}
