import { Link } from 'react-router-dom';
import { hasRole, type TaskSort } from '@walbridge/contracts';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { DataTable, type DataColumn, type RowSelection } from '../../ui/data-table';
import { EMPTY_VALUE, formatInteger } from '../../ui/format';
import { RelativeTime } from '../../ui/relative-time';
import { useMe } from '../auth/use-me.query';
import { TaskScheduler } from '../fleet/task-scheduler';
import { TaskActions } from '../task-detail/task-actions';
import { TaskStatusBadge } from './task-status-badge';
import { TaskTags } from './task-tags';

interface TaskTableProps {
  tasks: TaskDetail[];
  caption: string;
  /** Sortable headers when given (the list); the order is the API's (GET /tasks?sort=). */
  sort?: TaskSort;
  onSortChange?: (sort: TaskSort) => void;
  /** Check boxes for the bulk actions (operators and admins on the list). */
  selection?: RowSelection;
}

const COLUMNS: DataColumn<TaskDetail>[] = [
  { id: 'name', header: 'Name', rowHeader: true, className: 'task-name', sortField: 'name', cell: (task) => <TaskName task={task} /> },
  {
    id: 'status',
    header: 'Status',
    sortField: 'status',
    cell: (task) => (
      <>
        <TaskStatusBadge status={task.status} lastError={task.lastError} />
        {task.lastError && (
          <span className="task-error" title={task.lastError}>
            {task.lastError}
          </span>
        )}
      </>
    ),
  },
  { id: 'source', header: 'Source', className: 'mono', cell: (task) => `${task.source.host}:${task.source.port}/${task.source.database}` },
  { id: 'brokers', header: 'Destination brokers', className: 'mono', cell: (task) => <BrokerList brokers={task.destination.brokers} /> },
  { id: 'scheduler', header: 'Scheduler', cell: (task) => <TaskScheduler scheduler={task.scheduler} /> },
  { id: 'lsn', header: 'Confirmed LSN', className: 'mono', cell: (task) => task.confirmedLsn ?? EMPTY_VALUE },
  {
    id: 'delay',
    header: 'Delay',
    className: 'numeric',
    sortField: 'delaySeconds',
    sortFirstDescending: true,
    cell: (task) => <TaskDelay seconds={task.delaySeconds} thresholdSeconds={task.alarms.delayThresholdSeconds} />,
  },
  { id: 'created', header: 'Created', sortField: 'createdAt', sortFirstDescending: true, cell: (task) => <RelativeTime iso={task.createdAt} /> },
];

export function TaskTable({ tasks, caption, sort, onSortChange, selection }: TaskTableProps) {
  return (
    <DataTable
      rows={tasks}
      columns={COLUMNS}
      rowKey={(task) => task.id}
      rowName={(task) => task.name}
      label={caption}
      cards
      sort={sort}
      onSortChange={onSortChange as ((sort: string) => void) | undefined}
      selection={selection}
      actionsExtra={(task) => <TaskRowActions task={task} />}
    />
  );
}

function TaskName({ task }: { task: TaskDetail }) {
  return (
    <>
      <Link className="task-name__name" to={`/tasks/${task.id}`}>
        {task.name}
      </Link>
      {/* The first 8 characters find the task in Search; the whole id is in the title. */}
      <span className="task-name__id mono" title={task.id}>
        {task.id.slice(0, 8)}
      </span>
      <TaskTags tags={task.tags} className="task-tags" label={`Tags of ${task.name}`} />
    </>
  );
}

function TaskRowActions({ task }: { task: TaskDetail }) {
  const me = useMe();
  const canOperate = !!me.data && hasRole(me.data.role, 'operator');
  if (task.status === 'CONFIGURATION' && canOperate) {
    return (
      <Link className="button button--small" to={`/tasks/${task.id}/setup`} aria-label={`Continue setup of ${task.name}`}>
        Continue setup
      </Link>
    );
  }
  return <TaskActions task={task} only={['pause', 'resume']} compact />;
}

function BrokerList({ brokers }: { brokers: string }) {
  const list = brokers.split(',').filter(Boolean);
  if (list.length === 0) return <>{EMPTY_VALUE}</>;
  return (
    <ul className="plain-list">
      {list.map((broker) => (
        <li key={broker}>{broker}</li>
      ))}
    </ul>
  );
}

/** A threshold of 0 means the delay alarm is off (PRODUCT.md §2), so nothing turns red then. */
function TaskDelay({ seconds, thresholdSeconds }: { seconds: number | null; thresholdSeconds: number }) {
  if (seconds === null) return <>{EMPTY_VALUE}</>;
  const late = thresholdSeconds > 0 && seconds > thresholdSeconds;
  return (
    <span className={late ? 'delay delay--late' : 'delay'}>
      {formatInteger(seconds)} s
      {late && <span className="visually-hidden"> (above the {thresholdSeconds} s alarm threshold)</span>}
    </span>
  );
}
