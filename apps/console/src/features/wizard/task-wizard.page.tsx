import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useNavigationType, useParams, useSearchParams } from 'react-router-dom';
import type { TaskView } from '@walbridge/contracts';
import { getTask } from '../../api/tasks.api';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { formatDateTime } from '../../ui/format';
import { ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useMe } from '../auth/use-me.query';
import { taskKeys } from '../tasks/use-tasks.query';
import { BasicStep } from './basic-step';
import { ConfirmStep } from './confirm-step';
import { SourceDestinationStep, type ConnectionTests } from './source-destination-step';
import { PolicyStep } from './policy-step';
import { PrecheckStep } from './precheck-step';
import { useWizardSubmit } from './use-wizard-submit';
import { createdKey, loadDraft, removeDraft, saveDraft, sessionGet, sessionRemove, taskDrafts, type WizardDraft, type WizardStep } from './wizard-draft';
import { DEFAULT_BASIC, DEFAULT_CONFIRM, DEFAULT_CONNECTIONS, DEFAULT_POLICY, EMPTY_SCHEMA_REGISTRY, isPlaceholderPolicy, valuesFromTask, type ConnectionValues } from './wizard-values';

// Secrets live only in memory: the draft in localStorage never holds them.
const NO_SECRETS = { sourcePassword: '', destinationPassword: '', clientKey: '', registryPassword: '' };

export const WIZARD_STEPS: { step: WizardStep; title: string }[] = [
  { step: 1, title: 'Create task' },
  { step: 2, title: 'Source and destination' },
  { step: 3, title: 'Set task' },
  { step: 4, title: 'Check task' },
  { step: 5, title: 'Confirm' },
];

function freshDraft(): WizardDraft {
  return {
    version: 1,
    taskId: null,
    step: 1,
    reached: 1,
    updatedAt: new Date().toISOString(),
    basic: DEFAULT_BASIC,
    connections: DEFAULT_CONNECTIONS,
    policy: null,
    confirm: null,
  };
}

/**
 * A task continued without this browser's draft. Its objects were chosen at step 3 unless the
 * policy is still the one the wizard created it with: then step 3 starts from the new wizard's
 * defaults (Selected tables, One specific topic), never from a whole-database placeholder.
 */
function draftFromTask(task: TaskView): WizardDraft {
  const values = valuesFromTask(task);
  const placeholder = isPlaceholderPolicy(task.policy);
  return {
    version: 1,
    taskId: task.id,
    step: placeholder ? 3 : 4,
    reached: placeholder ? 3 : 4,
    updatedAt: new Date().toISOString(),
    basic: values.basic,
    connections: values.connections,
    policy: placeholder ? null : values.policy,
    confirm: values.confirm,
  };
}

function parseStep(value: string | null): WizardStep | null {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 5 ? (n as WizardStep) : null;
}

const storage = (): Storage => window.localStorage;

/** `/tasks/new` (a task not created yet) and `/tasks/:id/setup` (a task in CONFIGURATION). */
export function TaskWizardPage() {
  const { id } = useParams<{ id?: string }>();
  const location = useLocation();
  const me = useMe();
  const username = me.data?.username ?? '(unknown)';
  const task = useQuery({ queryKey: taskKeys.detail(id ?? ''), queryFn: ({ signal }) => getTask(id!, signal), enabled: !!id });
  const navigationType = useNavigationType();
  const [searchParams] = useSearchParams();

  useEffect(() => {
    document.title = `${id ? 'Set up task' : 'Create task'} · Walbridge`;
  }, [id]);

  if (!id) {
    const created = sessionGet(createdKey(username));
    // Back (or Forward) into the steps of a wizard that has since created its task.
    if (created && navigationType === 'POP') return <Navigate to={`/tasks/${created}/setup?step=${searchParams.get('step') ?? '2'}`} replace />;
    if (created) sessionRemove(createdKey(username));
    const stored = loadDraft(storage(), username, null);
    return <Wizard key="new" username={username} initial={stored ?? freshDraft()} resumedAt={stored?.updatedAt} initialTask={null} />;
  }
  if (task.isPending) return <LoadingPanel>Loading the task…</LoadingPanel>;
  if (!task.data) return <ErrorPanel title="Could not load the task" error={task.error} />;
  if (task.data.status !== 'CONFIGURATION') {
    return (
      <section className="page">
        <h1>{task.data.name}</h1>
        <p className="panel">
          This task was submitted already; its setup cannot change any more. <Link to={`/tasks/${task.data.id}`}>Open the task</Link>.
        </p>
      </section>
    );
  }
  const stored = loadDraft(storage(), username, id);
  // Just created by the wizard itself: continuing, not resuming.
  const continuing = (location.state as { created?: boolean } | null)?.created === true;
  return (
    <Wizard key={id} username={username} initial={stored ?? draftFromTask(task.data)} resumedAt={continuing ? undefined : stored?.updatedAt} initialTask={task.data} />
  );
}

interface WizardProps {
  username: string;
  initial: WizardDraft;
  /** Set when the draft came from this browser's storage. */
  resumedAt?: string;
  initialTask: TaskView | null;
}

function Wizard({ username, initial, resumedAt, initialTask }: WizardProps) {
  // The step is in the address (?step=3): Back and Forward move between steps, a link opens one.
  const [searchParams, setSearchParams] = useSearchParams();
  const urlStep = parseStep(searchParams.get('step'));
  const sectionRef = useRef<HTMLElement>(null);
  const [draft, setDraft] = useState<WizardDraft>(initial);
  const [task, setTask] = useState<TaskView | null>(initialTask);
  // Secrets live only here, in memory: the draft in localStorage never holds them.
  const secrets = useRef(NO_SECRETS);
  // Connection tests passed in this visit, kept while moving between steps (never stored).
  const [tests, setTests] = useState<ConnectionTests>({});
  // Bumped by "Start over": the step forms mount again with the fresh values.
  const [generation, setGeneration] = useState(0);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const generationRef = useRef(0);
  const live = useRef(draft);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);
  const otherDrafts = useMemo(() => (draft.taskId ? [] : taskDrafts(storage(), username)), [draft.taskId, username]);

  const persist = useCallback(
    (next: WizardDraft) => {
      live.current = next;
      saveDraft(storage(), username, next);
    },
    [username],
  );

  const change = useCallback(<K extends 'basic' | 'connections' | 'policy' | 'confirm'>(section: K, values: WizardDraft[K], from: number) => {
    // The last words of a form thrown away by "Start over" must not bring its values back.
    if (from !== generationRef.current) return;
    if (section === 'connections') {
      const c = values as ConnectionValues;
      secrets.current = { sourcePassword: c.source.password, destinationPassword: c.destination.password, clientKey: c.destination.clientKey, registryPassword: c.destination.schemaRegistry?.password ?? '' };
    }
    persist({ ...live.current, [section]: values });
  }, [persist]);

  const goTo = (step: WizardStep, patch: Partial<WizardDraft> = {}) => {
    const next = { ...live.current, ...patch, step, reached: Math.max(live.current.reached, step) as WizardStep };
    persist(next);
    setDraft(next);
    if (step !== urlStep) setSearchParams({ step: String(step) });
  };

  // The address changed (Back, Forward, a typed URL): show that step if it may be shown now.
  useEffect(() => {
    const current = live.current;
    if (urlStep === current.step) return;
    const allowed = urlStep !== null && urlStep <= current.reached && (urlStep <= 2 || !!task);
    if (allowed) {
      const next = { ...current, step: urlStep };
      persist(next);
      setDraft(next);
    } else {
      setSearchParams({ step: String(current.step) }, { replace: true });
    }
    // Only the address drives this effect (the other values are read, not watched).
  }, [urlStep]);

  /** The stepper's next step is Next: same checks, same save. */
  const clickNext = () => sectionRef.current?.querySelector<HTMLButtonElement>('.wizard-actions button[type="submit"]')?.click();

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    // A new step: keyboard and screen reader users start at its title, not at the old button.
    headingRef.current?.focus();
    window.scrollTo({ top: 0 });
  }, [draft.step]);

  const { nextFromBasic, saveTarget, saveRegistry, nextFromConnections, nextFromPolicy, submit } = useWizardSubmit({ username, task, setTask, live, generation: generationRef, goTo });

  const discard = () => {
    generationRef.current += 1;
    removeDraft(storage(), username, draft.taskId);
    if (draft.taskId && task) {
      const fresh = draftFromTask(task);
      persist(fresh);
      setDraft(fresh);
    } else {
      const fresh = freshDraft();
      persist(fresh);
      setDraft(fresh);
      setTask(null);
    }
    secrets.current = NO_SECRETS;
    setTests({});
    setGeneration(generationRef.current);
  };

  const step = draft.step;
  // Values as last typed: a step leaving the screen hands its values over as it unmounts, after
  // the render that switched steps, so the `draft` state may lag behind; the ref does not.
  const saved = live.current;
  const current = WIZARD_STEPS[step - 1];
  const defaultSlotName = task ? `walbridge_${task.id.replace(/-/g, '_')}` : '';

  return (
    <section className="page wizard" aria-labelledby="wizard-title" ref={sectionRef}>
      <header className="page__header">
        <div>
          <h1 id="wizard-title">{task ? `Set up task ${task.name}` : 'Create task'}</h1>
          <p className="muted">
            {task ? 'Saved as a task in configuration. ' : ''}Your progress is kept in this browser (without passwords) as you type.
            {resumedAt && ` Resumed from ${formatDateTime(resumedAt)}.`}
          </p>
        </div>
        <button type="button" className="button" onClick={() => setConfirmDiscard(true)}>
          {task ? 'Reset to the saved task' : 'Start over'}
        </button>
        <ConfirmDialog
          open={confirmDiscard}
          title={task ? 'Reset to the saved task?' : 'Start over?'}
          confirmLabel={task ? 'Reset' : 'Start over'}
          onConfirm={() => {
            setConfirmDiscard(false);
            discard();
          }}
          onCancel={() => setConfirmDiscard(false)}
        >
          <p>
            {task
              ? 'What you changed since the last Next is dropped; the wizard shows the task as saved.'
              : 'Everything typed in this wizard is cleared.'}
          </p>
        </ConfirmDialog>
      </header>
      {otherDrafts.length > 0 && step === 1 && (
        <div className="notice notice--info">
          <p>You have tasks whose setup is not finished:</p>
          <ul>
            {otherDrafts.slice(0, 5).map((d) => (
              <li key={d.taskId}>
                <Link to={`/tasks/${d.taskId}/setup`}>Continue setting up {d.name || d.taskId}</Link>{' '}
                <span className="muted">(step {d.step}, {formatDateTime(d.updatedAt)})</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <WizardStepper step={step} reached={draft.reached} hasTask={!!task} onStep={(s) => (s === step + 1 ? clickNext() : goTo(s))} />
      <h2 id="wizard-step-title" className="wizard__step-title" ref={headingRef} tabIndex={-1}>
        Step {step} of 5: {current.title}
      </h2>
      {step === 1 && <BasicStep key={generation} values={saved.basic} onChange={(v) => change('basic', v, generation)} onNext={nextFromBasic} />}
      {step === 2 && (
        <SourceDestinationStep
          key={generation}
          values={{
            source: { ...saved.connections.source, password: secrets.current.sourcePassword },
            destination: {
              ...saved.connections.destination,
              password: secrets.current.destinationPassword,
              clientKey: secrets.current.clientKey,
              schemaRegistry: { ...EMPTY_SCHEMA_REGISTRY, ...saved.connections.destination.schemaRegistry, password: secrets.current.registryPassword },
            },
          }}
          task={task}
          format={saved.policy?.format ?? task?.policy.format ?? 'json'}
          tests={tests}
          onTestsChange={setTests}
          onChange={(v) => change('connections', v, generation)}
          onSaveTarget={saveTarget}
          onNext={nextFromConnections}
          onBack={() => goTo(1)}
        />
      )}
      {step === 3 && task && (
        <PolicyStep
          taskId={task.id}
          registrySet={!!task.destination.schemaRegistry?.url}
          onSaveRegistry={saveRegistry}
          defaultSlotName={defaultSlotName}
          key={generation}
          values={saved.policy ?? DEFAULT_POLICY}
          onChange={(v) => change('policy', v, generation)}
          onNext={nextFromPolicy}
          onBack={() => goTo(2)}
        />
      )}
      {step === 4 && task && <PrecheckStep taskId={task.id} onNext={() => goTo(5)} onBack={() => goTo(3)} />}
      {step === 5 && task && (
        <ConfirmStep key={generation} task={task} values={saved.confirm ?? DEFAULT_CONFIRM} onChange={(v) => change('confirm', v, generation)} onSubmit={submit} onBack={() => goTo(4)} />
      )}
    </section>
  );
}

function WizardStepper({ step, reached, hasTask, onStep }: { step: WizardStep; reached: WizardStep; hasTask: boolean; onStep: (step: WizardStep) => void }) {
  return (
    <nav aria-label="Wizard steps">
      <ol className="stepper">
        {WIZARD_STEPS.map((s) => {
          const state = s.step === step ? 'current' : s.step < step || s.step < reached ? 'done' : 'todo';
          // Back to any step; forward only to the next one, as Next (which checks and saves this one).
          const reachable = s.step !== step && s.step <= reached && (s.step <= 2 || hasTask) && (s.step < step || s.step === step + 1);
          return (
            <li key={s.step} className={`stepper__item stepper__item--${state}`} aria-current={s.step === step ? 'step' : undefined}>
              {reachable ? (
                <button type="button" className="stepper__button" onClick={() => onStep(s.step)}>
                  <span className="stepper__number" aria-hidden="true">
                    {s.step}
                  </span>
                  <span className="stepper__title">{s.title}</span>
                </button>
              ) : (
                <span className="stepper__button">
                  <span className="stepper__number" aria-hidden="true">
                    {s.step}
                  </span>
                  <span className="stepper__title">{s.title}</span>
                </span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
