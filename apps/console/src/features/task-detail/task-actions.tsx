import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { hasRole } from '@walbridge/contracts';
import { isMissingEndpoint } from '../../api/api-client';
import { slotCleanupSql, type TaskDetail } from '../../api/task-lifecycle.types';
import { runTaskAction, TASK_ACTION_ROUTES, type TaskAction, type TaskActionResult } from '../../api/tasks.api';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { formatBytes } from '../../ui/format';
import { useMe } from '../auth/use-me.query';
import { auditKeys } from '../audit/use-audit-log.query';
import { useApiRoutes } from '../capabilities/use-api-routes';
import { taskKeys } from '../tasks/use-tasks.query';

const ACTION_ORDER: TaskAction[] = ['pause', 'resume', 'stop', 'forceStop', 'reset', 'dropSlot', 'delete'];

export const ACTION_LABEL: Record<TaskAction, string> = {
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  forceStop: 'Force stop',
  reset: 'Reset',
  dropSlot: 'Drop slot',
  delete: 'Delete',
};

const DANGEROUS: TaskAction[] = ['stop', 'forceStop', 'reset', 'dropSlot', 'delete'];

/** Operations that lose what cannot be had again (the task's history, or changes): typed confirmation. */
function needsTypedName(task: TaskDetail, action: TaskAction): boolean {
  return action === 'reset' || (action === 'delete' && !neverStarted(task));
}

/** Set up (CONFIGURATION) or waiting for its start time: no worker, slot or publication yet. */
function neverStarted(task: TaskDetail): boolean {
  return task.status === 'CONFIGURATION' || task.status === 'PENDING_START';
}

/** What the operation is called for this task: stopping a task that never ran cancels it. */
export function actionLabel(task: TaskDetail, action: TaskAction): string {
  if (task.status === 'CONFIGURATION' && action === 'delete') return 'Cancel setup';
  if (task.status === 'PENDING_START' && action === 'stop') return 'Cancel start';
  return ACTION_LABEL[action];
}

function routePath(action: TaskAction): string {
  return `/tasks/{id}${TASK_ACTION_ROUTES[action].path}`;
}

/**
 * The operations a user may run on the task now: allowed in its status, allowed for the user's
 * role, and served by this API (an older API answers 404, and the action is hidden).
 */
export function useTaskActions(task: TaskDetail | undefined) {
  const me = useMe();
  const routes = useApiRoutes();
  const [missing, setMissing] = useState<Set<TaskAction>>(new Set());
  if (!task || !me.data || !hasRole(me.data.role, 'operator')) return { actions: [] as TaskAction[], markMissing: () => undefined };
  const allowed = new Set(task.allowedOperations);
  const actions = ACTION_ORDER.filter(
    (a) => allowed.has(a) && !missing.has(a) && routes.has(TASK_ACTION_ROUTES[a].method, routePath(a)) !== false && !(neverStarted(task) && a === 'forceStop'),
  );
  // A task being set up has nothing to stop: its way out is to cancel the setup (delete).
  if (task.status === 'CONFIGURATION') return { actions: actions.filter((a) => a !== 'stop'), markMissing: (a: TaskAction) => setMissing((m) => new Set(m).add(a)) };
  return { actions, markMissing: (a: TaskAction) => setMissing((m) => new Set(m).add(a)) };
}

interface TaskActionsProps {
  task: TaskDetail;
  /** Only these (the list's rows offer the everyday ones); all by default. */
  only?: TaskAction[];
  compact?: boolean;
}

export function TaskActions({ task, only, compact }: TaskActionsProps) {
  const { actions, markMissing } = useTaskActions(task);
  const [open, setOpen] = useState<TaskAction | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [unsupported, setUnsupported] = useState<TaskAction | null>(null);
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const mutation = useMutation({
    mutationFn: (action: TaskAction) => runTaskAction(task.id, action),
    onSuccess: (result: TaskActionResult, action) => {
      setOpen(null);
      setWarnings(result?.warnings ?? []);
      if (result && typeof result === 'object' && 'id' in result) queryClient.setQueryData(taskKeys.detail(task.id), result);
      void queryClient.invalidateQueries({ queryKey: taskKeys.all });
      // The operation is in the task's history and log now.
      void queryClient.invalidateQueries({ queryKey: auditKeys.task(task.id) });
      void queryClient.invalidateQueries({ queryKey: ['tasks', 'logs', task.id] });
      if (action === 'delete') navigate('/tasks', { replace: true });
    },
    onError: (error, action) => {
      if (isMissingEndpoint(error)) {
        markMissing(action);
        setUnsupported(action);
        setOpen(null);
      }
    },
  });

  const shown = actions.filter((a) => !only || only.includes(a));
  if (!shown.length && !warnings.length && !unsupported) return null;

  return (
    <>
      {shown.length > 0 && (
        <div className={compact ? 'task-actions task-actions--compact' : 'task-actions'} role="group" aria-label={`Actions on ${task.name}`}>
          {shown.map((action) => (
            <button
              key={action}
              type="button"
              className={`button${compact ? ' button--small' : ''}${DANGEROUS.includes(action) && !compact ? ' button--danger-outline' : ''}`}
              onClick={() => {
                mutation.reset();
                setOpen(action);
              }}
              aria-label={compact ? `${actionLabel(task, action)} ${task.name}` : undefined}
            >
              {actionLabel(task, action)}
            </button>
          ))}
        </div>
      )}
      {warnings.length > 0 && (
        <div className="notice notice--warning" role="status">
          {warnings.map((w) => (
            <p key={w}>{w}</p>
          ))}
        </div>
      )}
      {unsupported && (
        <p className="notice notice--warning" role="status">
          This server does not support “{ACTION_LABEL[unsupported]}” yet.
        </p>
      )}
      {open && (
        <ConfirmDialog
          open
          title={`${actionLabel(task, open)} ${task.name}?`}
          confirmLabel={actionLabel(task, open)}
          danger={DANGEROUS.includes(open)}
          typeToConfirm={needsTypedName(task, open) ? task.name : undefined}
          busy={mutation.isPending}
          error={mutation.error && !isMissingEndpoint(mutation.error) ? mutation.error.message : undefined}
          onConfirm={() => mutation.mutate(open)}
          onCancel={() => setOpen(null)}
        >
          <ActionExplanation task={task} action={open} />
        </ConfirmDialog>
      )}
    </>
  );
}

/** One statement per line, ready to paste into psql. */
export function Sql({ children }: { children: string }) {
  return (
    <pre className="sql">
      <code>{children.replace(/;\s+/g, ';\n')}</code>
    </pre>
  );
}

/** What the operation does, in the words a DRS user expects, with its consequences first. */
function ActionExplanation({ task, action }: { task: TaskDetail; action: TaskAction }): ReactNode {
  const { name: slot, publication, retainedWalBytes: retained } = task.slot;
  const sql = task.slot.dropSql ?? slotCleanupSql(slot, publication);
  switch (action) {
    case 'pause':
      return (
        <p>
          The task stops reading changes. Its replication slot <code>{slot}</code> stays, and keeps WAL on the source’s disk until you resume
          {retained != null ? ` (${formatBytes(retained)} retained now)` : ''}.
        </p>
      );
    case 'resume':
      return <p>The task streams again from its confirmed position{task.confirmedLsn ? ` (${task.confirmedLsn})` : ''}: nothing in between is lost.</p>;
    case 'stop':
      if (task.status === 'PENDING_START') {
        return <p>The task never started: nothing was created on the source. It ends as Cancelled and does not start at its scheduled time.</p>;
      }
      return (
        <p>
          Messages in flight are delivered first, then the replication slot <code>{slot}</code> and its publication are dropped. The task ends as
          Completed and cannot be started again.
        </p>
      );
    case 'forceStop':
      return (
        <>
          <p>
            The worker is killed at once, without delivering what is in flight and without cleaning up. The replication slot <code>{slot}</code>{' '}
            may remain on the source, where it keeps WAL and fills the disk until it is dropped.
          </p>
          <p>Drop it afterwards with Drop slot on this page, or run this on the source database:</p>
          <Sql>{sql}</Sql>
        </>
      );
    case 'reset':
      return (
        <p>
          The replication slot is dropped and created again at the current position: <strong>changes made on the source in between are lost</strong>{' '}
          (never sent to Kafka). The precheck runs again before the task streams.
        </p>
      );
    case 'dropSlot':
      return (
        <>
          <p>
            The slot <code>{slot}</code> and publication <code>{publication}</code> that the task left on the source are dropped, so the source
            stops keeping WAL for them. This runs:
          </p>
          <Sql>{sql}</Sql>
        </>
      );
    case 'delete':
      if (task.status === 'CONFIGURATION') {
        return <p>The task was never started: nothing was created on the source or in Kafka. Its setup is dropped, it disappears from the list and its stored credentials are wiped.</p>;
      }
      return <p>The task disappears from the list and its stored credentials are wiped. This cannot be undone.</p>;
  }
}
