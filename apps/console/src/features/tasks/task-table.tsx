import type { TaskView } from '@walbridge/contracts';
import { EMPTY_VALUE, formatDateTime, formatInteger } from '../../ui/format';
import { TaskStatusBadge } from './task-status-badge';

export function TaskTable({ tasks, caption }: { tasks: TaskView[]; caption: string }) {
  return (
    // Focusable so keyboard users can scroll the table sideways on narrow screens.
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
            <th scope="col">Destination brokers</th>
            <th scope="col">Confirmed LSN</th>
            <th scope="col" className="numeric">
              Delay
            </th>
            <th scope="col">Created</th>
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

function TaskRow({ task }: { task: TaskView }) {
  return (
    <tr>
      <th scope="row" className="task-name">
        <span className="task-name__name">{task.name}</span>
        <span className="task-name__id mono">{task.id}</span>
      </th>
      <td>
        <TaskStatusBadge status={task.status} />
        {task.lastError && (
          <span className="task-error" title={task.lastError}>
            {task.lastError}
          </span>
        )}
      </td>
      <td className="mono">
        {task.source.host}:{task.source.port}/{task.source.database}
      </td>
      <td className="mono">
        <BrokerList brokers={task.destination.brokers} />
      </td>
      <td className="mono">{task.confirmedLsn ?? EMPTY_VALUE}</td>
      <td className="numeric">
        <TaskDelay seconds={task.delaySeconds} thresholdSeconds={task.alarms.delayThresholdSeconds} />
      </td>
      <td>
        <time dateTime={task.createdAt}>{formatDateTime(task.createdAt)}</time>
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
