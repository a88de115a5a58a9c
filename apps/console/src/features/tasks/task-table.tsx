import { Link } from 'react-router-dom';
import { hasRole, type TaskSort, type TaskSortField } from '@walbridge/contracts';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { EMPTY_VALUE, formatDateTime, formatInteger, formatRelative } from '../../ui/format';
import { useMe } from '../auth/use-me.query';
import { TaskActions } from '../task-detail/task-actions';
import { TaskStatusBadge } from './task-status-badge';
import { TaskTags } from './task-tags';

interface TaskTableProps {
  tasks: TaskDetail[];
  caption: string;
  /** Sortable headers when given (the list); the order is the API's (GET /tasks?sort=). */
  sort?: TaskSort;
  onSortChange?: (sort: TaskSort) => void;
}

export function TaskTable({ tasks, caption, sort, onSortChange }: TaskTableProps) {
  const header = (field: TaskSortField, label: string, className?: string) => (
    <SortableHeader field={field} label={label} sort={sort} onSortChange={onSortChange} className={className} />
  );
  return (
    // Focusable so keyboard users can scroll the table sideways on narrow screens.
    <div className="table-scroll table-scroll--cards" tabIndex={0} role="region" aria-label={caption}>
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {header('name', 'Name')}
            {header('status', 'Status')}
            <th scope="col">Source</th>
            <th scope="col">Destination brokers</th>
            <th scope="col">Confirmed LSN</th>
            {header('delaySeconds', 'Delay', 'numeric')}
            {header('createdAt', 'Created')}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <TaskRow key={task.id} task={task} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TaskRow({ task }: { task: TaskDetail }) {
  const me = useMe();
  const canOperate = !!me.data && hasRole(me.data.role, 'operator');
  return (
    <tr>
      <th scope="row" className="task-name">
        <Link className="task-name__name" to={`/tasks/${task.id}`}>
          {task.name}
        </Link>
        {/* The first 8 characters find the task in Search; the whole id is in the title. */}
        <span className="task-name__id mono" title={task.id}>
          {task.id.slice(0, 8)}
        </span>
        <TaskTags tags={task.tags} className="task-tags" label={`Tags of ${task.name}`} />
      </th>
      <td data-label="Status">
        <TaskStatusBadge status={task.status} lastError={task.lastError} />
        {task.lastError && (
          <span className="task-error" title={task.lastError}>
            {task.lastError}
          </span>
        )}
      </td>
      <td className="mono" data-label="Source">
        {task.source.host}:{task.source.port}/{task.source.database}
      </td>
      <td className="mono" data-label="Destination brokers">
        <BrokerList brokers={task.destination.brokers} />
      </td>
      <td className="mono" data-label="Confirmed LSN">
        {task.confirmedLsn ?? EMPTY_VALUE}
      </td>
      <td className="numeric" data-label="Delay">
        <TaskDelay seconds={task.delaySeconds} thresholdSeconds={task.alarms.delayThresholdSeconds} />
      </td>
      <td data-label="Created">
        <time dateTime={task.createdAt}>{formatDateTime(task.createdAt)}</time>
        <span className="muted task-created__ago"> ({formatRelative(task.createdAt)})</span>
      </td>
      <td className="row-actions" data-label="Actions">
        {task.status === 'CONFIGURATION' && canOperate ? (
          <Link className="button button--small" to={`/tasks/${task.id}/setup`} aria-label={`Continue setup of ${task.name}`}>
            Continue setup
          </Link>
        ) : (
          <TaskActions task={task} only={['pause', 'resume']} compact />
        )}
      </td>
    </tr>
  );
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

/**
 * A column header that sorts the list: the first click sorts ascending (newest first for Created,
 * longest first for Delay), the next reverses; aria-sort tells screen readers the order.
 */
function SortableHeader({ field, label, sort, onSortChange, className }: { field: TaskSortField; label: string; sort?: TaskSort; onSortChange?: (sort: TaskSort) => void; className?: string }) {
  if (!onSortChange) {
    return (
      <th scope="col" className={className}>
        {label}
      </th>
    );
  }
  const current = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : 'none';
  const firstDescending = field === 'createdAt' || field === 'delaySeconds';
  const next: TaskSort = current === 'none' ? (firstDescending ? `-${field}` : field) : current === 'ascending' ? `-${field}` : field;
  return (
    <th scope="col" className={className} aria-sort={current}>
      <button type="button" className="sort-button" onClick={() => onSortChange(next)}>
        {label}
        <span aria-hidden="true" className="sort-button__arrow">
          {current === 'ascending' ? '▲' : current === 'descending' ? '▼' : '↕'}
        </span>
      </button>
    </th>
  );
}
