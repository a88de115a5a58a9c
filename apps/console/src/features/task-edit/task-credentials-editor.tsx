import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { taskConnectionTestBodySchema, type ConnectionTarget, type ConnectionTestResult, type TaskConnectionTestBody } from '@walbridge/contracts';
import { testTaskConnection } from '../../api/connections.api';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { updateTask } from '../../api/tasks.api';
import { applyApiErrors } from '../../ui/form-errors';
import { SubmitProblemNotice, TextField } from '../../ui/form-fields';
import { useApiSubmit, withoutBlanks, zodFormResolver } from '../../ui/zod-form';
import { taskKeys } from '../tasks/use-tasks.query';
import { EditorCard } from './editor-card';
import { TestResultText } from '../wizard/source-destination-step';

interface CredentialValues {
  source: { password: string };
  destination: { password: string; schemaRegistry: { password: string } };
}

const EMPTY: CredentialValues = { source: { password: '' }, destination: { password: '', schemaRegistry: { password: '' } } };
const CREDENTIAL_FIELD = /^(source\.password|destination\.password|destination\.schemaRegistry\.password)$/;

/** The typed passwords as the API takes them; blank: keep the saved one (and no empty group, which a merge patch would create). */
export function credentialsInput(v: CredentialValues): TaskConnectionTestBody {
  const source = withoutBlanks({ password: v.source.password });
  const registry = withoutBlanks({ password: v.destination.schemaRegistry.password });
  const destination = withoutBlanks({ password: v.destination.password, ...(registry.password ? { schemaRegistry: registry } : {}) });
  return { ...(source.password ? { source } : {}), ...(Object.keys(destination).length ? { destination } : {}) };
}

/** Which connections a set of typed passwords touches, so each is tested before saving. */
function targetsOf(input: TaskConnectionTestBody): ConnectionTarget[] {
  return [...(input.source?.password ? (['source'] as const) : []), ...(input.destination?.password || input.destination?.schemaRegistry?.password ? (['destination'] as const) : [])];
}

/**
 * Issue 15 feature 2: a task's passwords (source, SASL, schema registry) replaced in any status.
 * Each connection is tested with the typed password and the task's other saved settings before
 * Save is offered; the task uses them from its next connection.
 */
export function TaskCredentialsEditor({ task }: { task: TaskDetail }) {
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState(false);
  if (task.status === 'DELETED' || task.status === 'CONFIGURATION') return null;
  return (
    <EditorCard
      id="credentials-title"
      title="Connection passwords"
      openLabel="Change passwords"
      saved={saved ? 'Saved: the new passwords are used from the next connection on.' : null}
      open={open}
      onOpen={() => {
        setSaved(false);
        setOpen(true);
      }}
    >
      <CredentialsForm
        task={task}
        onDone={(done) => {
          setSaved(done);
          setOpen(false);
        }}
      />
    </EditorCard>
  );
}

type Tested = Partial<Record<ConnectionTarget, { key: string; result: ConnectionTestResult }>>;

function CredentialsForm({ task, onDone }: { task: TaskDetail; onDone: (saved: boolean) => void }) {
  const queryClient = useQueryClient();
  const form = useForm<CredentialValues>({ defaultValues: EMPTY, resolver: zodFormResolver(credentialsInput, taskConnectionTestBodySchema) });
  const { run, problem } = useApiSubmit(form, (p) => CREDENTIAL_FIELD.test(p));
  const [tested, setTested] = useState<Tested>({});
  const [testing, setTesting] = useState<ConnectionTarget | null>(null);
  const values = useWatch({ control: form.control }) as CredentialValues;
  const input = credentialsInput({ ...EMPTY, ...values, destination: { ...EMPTY.destination, ...values.destination } });
  const key = (target: ConnectionTarget) => JSON.stringify(target === 'source' ? input.source : input.destination);
  const targets = targetsOf(input);
  const passed = (t: ConnectionTarget) => tested[t]?.key === key(t) && tested[t]!.result.ok;
  const sasl = task.destination.securityProtocol === 'SASL_PLAINTEXT' || task.destination.securityProtocol === 'SASL_SSL';

  const test = async (target: ConnectionTarget) => {
    if (!(await form.trigger())) return;
    setTesting(target);
    try {
      const body = target === 'source' ? { source: input.source } : { destination: input.destination };
      const result = await testTaskConnection(task.id, target, body);
      setTested((t) => ({ ...t, [target]: { key: key(target), result } }));
    } catch (error) {
      applyApiErrors(error, form.setError, (p) => CREDENTIAL_FIELD.test(p));
    } finally {
      setTesting(null);
    }
  };

  const save = async () => {
    const updated = await updateTask(task.id, input as Record<string, unknown>);
    queryClient.setQueryData(taskKeys.detail(task.id), (old: TaskDetail | undefined) => (old ? { ...old, ...updated } : old));
    onDone(true);
  };

  const testBlock = (target: ConnectionTarget, label: string) => {
    const result = tested[target];
    return (
      <div className="test-connection">
        <button type="button" className="button" disabled={!targets.includes(target) || testing !== null} onClick={() => void test(target)}>
          {testing === target ? 'Testing…' : label}
        </button>
        {result && <TestResultText result={result.result} stale={result.key !== key(target)} />}
      </div>
    );
  };

  return (
    <FormProvider {...form}>
      <form onSubmit={run(save)} noValidate aria-label="Change passwords">
        <p className="muted">Leave a password empty to keep the saved one. Each connection is tested with the new password before it can be saved.</p>
        <fieldset className="choice-group">
          <legend>
            Source <span className="mono">{`${task.source.username}@${task.source.host}:${task.source.port}/${task.source.database}`}</span>
          </legend>
          <TextField name="source.password" label="New source password" type="password" autoComplete="new-password" />
          {testBlock('source', 'Test source connection')}
        </fieldset>
        {(sasl || task.destination.schemaRegistry) && (
          <fieldset className="choice-group">
            <legend>
              Destination <span className="mono">{task.destination.brokers}</span>
            </legend>
            {sasl && <TextField name="destination.password" label="New SASL password" type="password" autoComplete="new-password" hint={`For user ${task.destination.username ?? ''}.`} />}
            {task.destination.schemaRegistry && (
              <TextField
                name="destination.schemaRegistry.password"
                label="New schema registry password"
                type="password"
                autoComplete="new-password"
                hint={`For ${task.destination.schemaRegistry.url}.`}
              />
            )}
            {testBlock('destination', 'Test destination connection')}
          </fieldset>
        )}
        <SubmitProblemNotice problem={problem} />
        <div className="wizard-actions">
          <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting || !targets.length || !targets.every(passed)}>
            Save passwords
          </button>
          <button type="button" className="button" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
        {targets.length > 0 && !targets.every(passed) && <p className="muted">Test {targets.filter((t) => !passed(t)).join(' and ')} with the new password to save it.</p>}
      </form>
    </FormProvider>
  );
}
