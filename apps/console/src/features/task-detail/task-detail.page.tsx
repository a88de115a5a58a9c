import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { hasRole, type TaskStatus } from '@walbridge/contracts';
import { slotCleanupSql, type TaskDetail } from '../../api/task-lifecycle.types';
import { getTask } from '../../api/tasks.api';
import { EMPTY_VALUE, formatBytes, formatDateTime, formatDecimal, formatInteger, formatRelative } from '../../ui/format';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useTaskHistory } from '../audit/use-audit-log.query';
import { useMe } from '../auth/use-me.query';
import { TaskScheduler } from '../fleet/task-scheduler';
import { useApiRoutes } from '../capabilities/use-api-routes';
import { TaskStatusBadge } from '../tasks/task-status-badge';
import { TaskSummary } from '../tasks/task-summary';
import { TaskTags } from '../tasks/task-tags';
import { taskKeys } from '../tasks/use-tasks.query';
import { FAILURE_KIND_PRESENTATION } from './failure-kind.presentation';
import { Sql, TaskActions } from './task-actions';
import { TaskSettingsEditor } from '../task-edit/task-settings-editor';
import { TaskObjectsEditor } from '../task-edit/task-objects-editor';
import { TaskCredentialsEditor } from '../task-edit/task-credentials-editor';
import { CloneTaskButton } from '../tasks/clone-task-button';
import { MessageBrowser } from './message-browser';
import { catchUpText, MonitoringPanel, useMetricsRange } from './monitoring-panel';
import { useTaskSeries } from './use-task-series';
import { TaskLogs } from './task-logs';
import { auditActionText } from '../audit/audit-action-text';

/** Statuses in which a worker streams (or drains): the charts' latest values are current only then. */
const STREAMING: TaskStatus[] = ['FULL_SYNC', 'INCREMENTAL', 'STARTING', 'PAUSING', 'STOPPING'];

export const TASK_DETAIL_REFRESH_MS = 2_000;

const isStreaming = (status: TaskStatus) => STREAMING.includes(status);

export function TaskDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const location = useLocation();
  const submitted = (location.state as { submitted?: boolean } | null)?.submitted === true;
  const task = useQuery({
    queryKey: taskKeys.detail(id),
    queryFn: ({ signal }) => getTask(id, signal),
    refetchInterval: TASK_DETAIL_REFRESH_MS,
  });
  const routes = useApiRoutes();

  useEffect(() => {
    document.title = `${task.data?.name ?? 'Task'} · Walbridge`;
  }, [task.data?.name]);

  if (task.isPending) return <LoadingPanel>Loading the task…</LoadingPanel>;
  if (!task.data) {
    return (
      <section className="page">
        <ErrorPanel title="Could not load the task" error={task.error} action={<Link to="/tasks">Back to the task list</Link>} />
      </section>
    );
  }
  return <TaskDetailView task={task.data} updatedAt={task.dataUpdatedAt} submitted={submitted} routes={routes} staleError={task.error} />;
}

interface TaskDetailViewProps {
  task: TaskDetail;
  updatedAt: number;
  submitted: boolean;
  routes: ReturnType<typeof useApiRoutes>;
  staleError: Error | null;
}

function TaskDetailView({ task, updatedAt, submitted, routes, staleError }: TaskDetailViewProps) {
  const me = useMe();
  const [range] = useMetricsRange();
  const series = useTaskSeries(task, updatedAt, routes.has('GET', '/tasks/{id}/metrics'), routes.has('GET', '/tasks/{id}/events'), range);
  const catchUp = task.status === 'INCREMENTAL' ? catchUpText(series.catchUp) : null;
  const threshold = task.alarms.delayThresholdSeconds;
  const late = threshold > 0 && task.delaySeconds !== null && task.delaySeconds > threshold;
  const canOperate = !!me.data && hasRole(me.data.role, 'operator');
  const streaming = isStreaming(task.status);
  const titleRef = useRef<HTMLHeadingElement>(null);
  // Arriving from the wizard's Submit: the button is gone, keyboard focus starts at the title.
  useEffect(() => {
    if (submitted) titleRef.current?.focus();
  }, [submitted]);

  return (
    <section className="page task-detail" aria-labelledby="task-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/tasks">Tasks</Link> <span aria-hidden="true">/</span> <span>{task.name}</span>
      </nav>
      <header className="page__header">
        <div>
          <h1 id="task-title" className="task-detail__title" ref={titleRef} tabIndex={-1}>
            {task.name} <TaskStatusBadge status={task.status} lastError={task.lastError} />
          </h1>
          <p className="muted mono">{task.id}</p>
          {task.description && <p>{task.description}</p>}
          <TaskTags tags={task.tags} className="tag-list" label="Tags" />
        </div>
        <div className="page__actions">
          {task.status === 'CONFIGURATION' && canOperate && (
            <Link className="button button--primary" to={`/tasks/${task.id}/setup`}>
              Continue setup
            </Link>
          )}
          {canOperate && <CloneTaskButton task={task} />}
        </div>
      </header>

      {submitted && ['PENDING_START', 'STARTING'].includes(task.status) && (
        <p className="notice notice--info" role="status">
          Submitted. {task.status === 'PENDING_START' ? 'The task starts at its scheduled time.' : 'A worker is starting the task: its status follows here.'}
        </p>
      )}
      {staleError && (
        <p className="notice notice--warning" role="status">
          Could not refresh: {staleError.message.replace(/\.$/, '')}. Showing the task as of {formatDateTime(new Date(updatedAt).toISOString())}.
        </p>
      )}

      <TaskActions task={task} />
      {canOperate && <TaskSettingsEditor key={task.id} task={task} />}
      {canOperate && <TaskObjectsEditor key={`objects-${task.id}`} task={task} />}
      {canOperate && <TaskCredentialsEditor key={`credentials-${task.id}`} task={task} />}

      <section className="card" aria-labelledby="status-title">
        <h2 id="status-title" className="card__title">
          Status
        </h2>
        <dl className="facts">
          <Fact term="Status">
            <TaskStatusBadge status={task.status} lastError={task.lastError} />
            {task.pendingOperation && <span className="muted"> ({task.pendingOperation} in progress)</span>}
          </Fact>
          <Fact term="Confirmed position">
            <span className="mono">{task.confirmedLsn ?? EMPTY_VALUE}</span>
          </Fact>
          <Fact term="Delay">
            {task.delaySeconds === null ? (
              EMPTY_VALUE
            ) : (
              <span className={late ? 'delay delay--late' : 'delay'}>
                {formatDecimal(task.delaySeconds)} s{late && ` (above the ${threshold} s threshold)`}
              </span>
            )}
            {catchUp && (
              <span className="muted">
                {' '}
                · {catchUp}
              </span>
            )}
          </Fact>
          <Fact term="Replication slot">
            <SlotState task={task} />
          </Fact>
          <Fact term="Scheduler">
            <TaskScheduler scheduler={task.scheduler} />
          </Fact>
          {task.scheduledStartAt && <Fact term="Starts">{formatDateTime(task.scheduledStartAt)}</Fact>}
          <Fact term="Last change">
            <time dateTime={task.updatedAt} title={formatDateTime(task.updatedAt)}>
              {formatRelative(task.updatedAt)}
            </time>
          </Fact>
          <Fact term="Created">{formatDateTime(task.createdAt)}</Fact>
        </dl>
        {task.lastError && (
          <div className="notice notice--error">
            <strong>Last error:</strong> {task.lastError}
          </div>
        )}
        {task.failure && (
          <p className="notice notice--warning">
            Abnormal since {formatDateTime(task.failure.since)} (
            {FAILURE_KIND_PRESENTATION[task.failure.kind].cause}
            );{' '}
            {task.failure.retrying ? `retrying until ${formatDateTime(task.failure.retryUntil)}` : FAILURE_KIND_PRESENTATION[task.failure.kind].notRetrying}
            ; stopped
            automatically at {formatDateTime(task.failure.autoStopAt)}.
          </p>
        )}
        <LeftoverSlot task={task} />
      </section>

      <MonitoringPanel task={task} series={series} range={range} hasSnapshot={routes.has('GET', '/tasks/{id}/snapshot')} streaming={streaming} />

      {routes.has('GET', '/tasks/{id}/messages') !== false && task.status !== 'CONFIGURATION' && (
        <section className="card" aria-labelledby="messages-title">
          <h2 id="messages-title" className="card__title">
            Messages
          </h2>
          <MessageBrowser task={task} />
        </section>
      )}

      <section className="card" aria-labelledby="logs-title">
        <h2 id="logs-title" className="card__title">
          Log
        </h2>
        <TaskLogs taskId={task.id} available={routes.has('GET', '/tasks/{id}/logs')} />
      </section>

      {me.data && hasRole(me.data.role, 'admin') && <TaskHistory taskId={task.id} />}

      <div className="card">
        <TaskSummary task={task} title="Configuration" full />
      </div>
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="facts__item">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The slot by name, and what is known of it: dropped, left over, and the WAL it keeps (measured when). */
function SlotState({ task }: { task: TaskDetail }) {
  const { exists, retainedWalBytes, checkedAt, leftover } = task.slot;
  if (exists === false) {
    return (
      <>
        <code>{task.slotName}</code> <span className="muted">(dropped: no longer on the source)</span>
      </>
    );
  }
  return (
    <>
      <code>{task.slotName}</code>
      {leftover && <span className="muted"> (left on the source)</span>}
      {exists === null && task.status === 'CONFIGURATION' && <span className="muted"> (created when the task starts)</span>}
      {retainedWalBytes != null && (
        <span className="muted">
          {' '}
          · keeps {formatBytes(retainedWalBytes)} of WAL
          {checkedAt && (
            <>
              {' '}
              (measured <time dateTime={checkedAt}>{formatRelative(checkedAt)}</time>)
            </>
          )}
        </span>
      )}
    </>
  );
}

/** After a force stop the slot may remain on the source, keeping WAL, until it is dropped. */
function LeftoverSlot({ task }: { task: TaskDetail }) {
  if (!task.slot.leftover) return null;
  return (
    <div className="notice notice--warning">
      <p>
        The replication slot <code>{task.slot.name}</code> remains on the source and keeps WAL
        {task.slot.retainedWalBytes != null ? ` (${formatBytes(task.slot.retainedWalBytes)})` : ''}. Drop it with Drop slot above, or run this on
        the source database:
      </p>
      <Sql>{task.slot.dropSql ?? slotCleanupSql(task.slot.name, task.slot.publication)}</Sql>
    </div>
  );
}

/** Who did what to the task (the audit trail is for admins). */
function TaskHistory({ taskId }: { taskId: string }) {
  const history = useTaskHistory(taskId);
  const entries = history.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title" className="card__title">
        History
      </h2>
      {history.isPending ? (
        <LoadingPanel>Loading the history…</LoadingPanel>
      ) : history.error ? (
        <ErrorPanel title="Could not load the history" error={history.error} />
      ) : !entries.length ? (
        <EmptyPanel title="Nothing recorded yet." />
      ) : (
        <>
          <ol className="history-list">
            {entries.slice(0, 15).map((e) => (
              <li key={e.id}>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time> <strong>{e.actor}</strong> <span title={e.action}>{auditActionText(e.action)}</span>{' '}
                <span className={`audit-result audit-result--${e.result}`}>{e.result}</span>
                {e.error && <span className="muted"> — {e.error}</span>}
              </li>
            ))}
          </ol>
          {entries.length > 15 && <Link to={`/audit?taskId=${taskId}`}>All {formatInteger(entries.length)}+ entries in the audit log</Link>}
        </>
      )}
    </section>
  );
}
