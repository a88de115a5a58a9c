import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type FormEvent } from 'react';
import type { PrecheckItemState, PrecheckItemView, PrecheckRunView } from '@walbridge/contracts';
import { confirmPrecheckItem, getLatestPrecheck, startPrecheck } from '../../api/precheck.api';
import { inConsoleWords } from '../../ui/form-errors';
import { ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { WizardActions } from './wizard-actions';

export const precheckKey = (taskId: string) => ['tasks', 'precheck', taskId] as const;

const ORDER: Record<PrecheckItemState, number> = { FAILED: 0, ALARM: 1, PENDING: 2, PASSED: 3 };
const RESULT_LABEL: Record<PrecheckItemState, string> = { FAILED: 'Failed', ALARM: 'Alarm', PENDING: 'Checking', PASSED: 'Passed' };
const TARGET_LABEL: Record<PrecheckItemView['target'], string> = { source: 'Source', destination: 'Destination', task: 'Task' };

interface PrecheckStepProps {
  taskId: string;
  onNext: () => void;
  onBack: () => void;
}

/** Step 4: the precheck, started on arrival when there is no current run. */
export function PrecheckStep({ taskId, onNext, onBack }: PrecheckStepProps) {
  const queryClient = useQueryClient();
  const run = useQuery({
    queryKey: precheckKey(taskId),
    queryFn: ({ signal }) => getLatestPrecheck(taskId, signal),
    refetchInterval: (query) => (query.state.data?.status === 'RUNNING' ? 400 : false),
    staleTime: 0,
    refetchOnMount: 'always',
  });
  const start = useMutation({
    mutationFn: () => startPrecheck(taskId),
    onSuccess: (started) => queryClient.setQueryData(precheckKey(taskId), started),
  });
  const formRef = useRef<HTMLFormElement>(null);
  // Set by a confirmation; the effect below moves focus once the updated run is on screen.
  const focusAfterUpdate = useRef(false);
  const confirm = useMutation({
    mutationFn: (itemId: string) => confirmPrecheckItem(taskId, itemId),
    onSuccess: (updated) => {
      focusAfterUpdate.current = true;
      queryClient.setQueryData(precheckKey(taskId), updated);
    },
  });
  // The Confirm button just pressed is gone: keyboard focus moves on to the next alarm to
  // confirm, or to Next once none is left, instead of falling back to the page. It runs after
  // React has rendered the updated run and the settled confirmation: an animation frame did not
  // always wait for them on a busy machine, and focus on a still disabled button was lost.
  useEffect(() => {
    // Confirm buttons are disabled while a confirmation is under way: wait until it has settled.
    if (!focusAfterUpdate.current || confirm.isPending) return;
    focusAfterUpdate.current = false;
    const form = formRef.current;
    const nextConfirm = form?.querySelector<HTMLButtonElement>('button[data-confirm-alarm]:not(:disabled)');
    const nextButton = [...(form?.querySelectorAll<HTMLButtonElement>('button[type="submit"]') ?? [])].at(-1);
    (nextConfirm ?? nextButton)?.focus();
  }, [run.data, confirm.isPending]);

  // DRS runs the check as the step opens; a finished run of the current configuration is kept.
  const autoStarted = useRef(false);
  const latest = run.data;
  useEffect(() => {
    if (autoStarted.current || run.isPending || !run.isFetchedAfterMount || run.error) return;
    if (latest === null || latest?.outdated || latest?.status === 'ERROR') {
      autoStarted.current = true;
      start.mutate();
    }
  }, [latest, run.isPending, run.isFetchedAfterMount, run.error, start]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (latest?.submittable) onNext();
  };

  const running = latest?.status === 'RUNNING' || start.isPending;
  // A run of an older configuration (or one that could not finish) is about to be replaced by
  // the one this step starts: never show its results as if they were current.
  // A run cached from an earlier visit is not shown before the server confirmed it is still the latest.
  const replaced = (!!latest && (latest.outdated || latest.status === 'ERROR') && !autoStarted.current) || (!run.isFetchedAfterMount && !run.error);
  const confirmedAlarms = latest?.items.filter((i) => i.result === 'ALARM' && i.confirmed).length ?? 0;

  return (
    <form className="wizard-form" onSubmit={submit} noValidate ref={formRef}>
      {run.isPending || (latest === null && !start.error) || replaced || start.isPending ? (
        <LoadingPanel>Starting the precheck…</LoadingPanel>
      ) : run.error ? (
        <ErrorPanel title="Could not read the precheck" error={run.error} />
      ) : latest ? (
        <PrecheckRun run={latest} confirmingId={confirm.isPending ? confirm.variables : undefined} onConfirm={(id) => confirm.mutate(id)} />
      ) : null}
      {start.error && <ErrorPanel title="Could not start the precheck" error={start.error} />}
      {confirm.error && <ErrorPanel title="Could not confirm the item" error={confirm.error} />}
      <div className="precheck-again">
        <button type="button" className="button" disabled={running} onClick={() => start.mutate()}>
          Check again
        </button>
        <span className="muted">
          Fixed something on the source or in Kafka? Run every check again.
          {confirmedAlarms > 0 &&
            ` A new run starts from scratch: the ${confirmedAlarms === 1 ? 'alarm' : `${confirmedAlarms} alarms`} you confirmed must be confirmed again.`}
        </span>
      </div>
      <WizardActions
        onBack={onBack}
        nextDisabled={!latest?.submittable}
        nextBlockedReason={running ? 'Wait for the precheck to finish.' : latest?.blockers.length ? `Before going on: ${latest.blockers.join('; ')}.` : undefined}
      />
    </form>
  );
}

function PrecheckRun({ run, confirmingId, onConfirm }: { run: PrecheckRunView; confirmingId?: string; onConfirm: (itemId: string) => void }) {
  const { done, total } = run.progress;
  const counts = { PASSED: 0, ALARM: 0, FAILED: 0, PENDING: 0 };
  for (const item of run.items) counts[item.result] += 1;
  const items = [...run.items].sort((a, b) => ORDER[a.result] - ORDER[b.result]);
  const unconfirmed = run.items.filter((i) => i.result === 'ALARM' && !i.confirmed).length;

  return (
    <div className="precheck">
      <div className="precheck__progress">
        <label htmlFor="precheck-progress">Precheck progress</label>
        <progress id="precheck-progress" max={total || 1} value={done} aria-valuetext={`${done} of ${total} checks done`} />
        <p className="muted" aria-live="polite">
          {done} of {total} checks done
          {run.status === 'FINISHED' && ` · success rate ${run.successRate}%`}
        </p>
      </div>
      <RunSummary run={run} counts={counts} unconfirmed={unconfirmed} />
      <ul className="precheck-items" aria-label="Precheck items">
        {items.map((item) => (
          <PrecheckItem key={item.id} item={item} confirming={confirmingId === item.id} onConfirm={() => onConfirm(item.id)} />
        ))}
      </ul>
    </div>
  );
}

function RunSummary({ run, counts, unconfirmed }: { run: PrecheckRunView; counts: Record<PrecheckItemState, number>; unconfirmed: number }) {
  let tone: 'passed' | 'alarm' | 'failed' | 'running';
  let text: string;
  if (run.status === 'RUNNING') {
    tone = 'running';
    text = 'Checking the source, Kafka and the task settings…';
  } else if (run.status === 'ERROR') {
    tone = 'failed';
    text = `The precheck could not finish: ${run.error ?? 'unknown error'}. Check again.`;
  } else if (run.outdated) {
    tone = 'alarm';
    text = 'The task changed after this precheck: check again.';
  } else if (counts.FAILED) {
    tone = 'failed';
    text = `${counts.FAILED} check${counts.FAILED === 1 ? '' : 's'} failed: fix ${counts.FAILED === 1 ? 'it' : 'them'} as suggested, then check again.`;
  } else if (unconfirmed) {
    tone = 'alarm';
    text = `${unconfirmed} alarm${unconfirmed === 1 ? '' : 's'} to confirm: read ${unconfirmed === 1 ? 'it' : 'them'} and confirm to go on.`;
  } else {
    tone = 'passed';
    text = counts.ALARM ? 'Passed, with confirmed alarms.' : 'Every check passed.';
  }
  return (
    <p className={`precheck-summary precheck-summary--${tone}`} role="status">
      {text}
    </p>
  );
}

function PrecheckItem({ item, confirming, onConfirm }: { item: PrecheckItemView; confirming: boolean; onConfirm: () => void }) {
  const headingId = `precheck-item-${item.id}`;
  return (
    <li className={`precheck-item precheck-item--${item.result.toLowerCase()}`} aria-labelledby={headingId}>
      <ResultIcon result={item.result} />
      <div className="precheck-item__body">
        <p className="precheck-item__title">
          <span id={headingId} className="precheck-item__name">
            {item.name}
          </span>
          <span className={`result-label result-label--${item.result.toLowerCase()}`}>{RESULT_LABEL[item.result]}</span>
          <span className="muted">{TARGET_LABEL[item.target]}</span>
        </p>
        <p className="muted">{item.description}</p>
        {item.reason && (
          <p className="precheck-item__reason">
            <strong>Reason:</strong> {item.reason}
          </p>
        )}
        {item.suggestion && (
          <div className="precheck-item__suggestion">
            <strong>Suggestion:</strong>
            <pre>
              <code>{inConsoleWords(item.suggestion)}</code>
            </pre>
          </div>
        )}
        {item.affectedObjects.length > 0 && (
          <p className="precheck-item__objects">
            <strong>Affected:</strong> {item.affectedObjects.join(', ')}
          </p>
        )}
        {item.result === 'ALARM' &&
          (item.confirmed ? (
            <p className="precheck-item__confirmed">Confirmed.</p>
          ) : (
            <button type="button" className="button" onClick={onConfirm} disabled={confirming} aria-label={`Confirm: ${item.name}`} data-confirm-alarm="">
              {confirming ? 'Confirming…' : 'Confirm'}
            </button>
          ))}
      </div>
    </li>
  );
}

function ResultIcon({ result }: { result: PrecheckItemState }) {
  if (result === 'PENDING') return <span className="spinner precheck-item__icon" aria-hidden="true" />;
  const glyph = result === 'PASSED' ? '✓' : result === 'ALARM' ? '!' : '✕';
  return (
    <span className={`result-icon result-icon--${result.toLowerCase()} precheck-item__icon`} aria-hidden="true">
      {glyph}
    </span>
  );
}
