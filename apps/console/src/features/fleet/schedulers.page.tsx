import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import type { SchedulerView } from '@walbridge/contracts';
import { useMe } from '../auth/use-me.query';
import { DataTable, type DataColumn, type RowAction } from '../../ui/data-table';
import { RelativeTime } from '../../ui/relative-time';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useDrainScheduler, useSchedulers } from './use-schedulers.query';

const COLUMNS: DataColumn<SchedulerView>[] = [
  { id: 'id', header: 'Scheduler', rowHeader: true, className: 'mono', cell: (s) => s.id },
  { id: 'host', header: 'Host', cell: (s) => `${s.host} (pid ${s.pid})` },
  { id: 'version', header: 'Version', cell: (s) => s.version },
  { id: 'started', header: 'Started', cell: (s) => <RelativeTime iso={s.startedAt} /> },
  { id: 'heartbeat', header: 'Last heartbeat', cell: (s) => <RelativeTime iso={s.lastHeartbeatAt} /> },
  { id: 'load', header: 'Tasks', cell: (s) => `${s.tasks} of ${s.capacity}` },
  { id: 'state', header: 'State', cell: (s) => (s.draining ? <span className="badge badge--warning">Draining</span> : <span className="badge badge--muted">Taking tasks</span>) },
  {
    id: 'tasks',
    header: 'Task ids',
    cell: (s) =>
      s.taskIds.length ? (
        <ul className="plain-list">
          {s.taskIds.map((id) => (
            <li key={id}>
              <Link to={`/tasks/${id}`} className="mono">
                {id.slice(0, 8)}
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <span className="muted">none</span>
      ),
  },
];

/** Issue 19: which scheduler runs what, and a drain for planned maintenance (admins). */
export function SchedulersPage() {
  const query = useSchedulers();
  const drain = useDrainScheduler();
  const me = useMe();
  useEffect(() => {
    document.title = 'Schedulers · Walbridge';
  }, []);
  const actions: RowAction<SchedulerView>[] =
    me.data?.role === 'admin'
      ? [
          {
            label: 'Drain',
            ariaLabel: (s) => `Drain ${s.id}`,
            danger: true,
            shown: (s) => !s.draining,
            confirm: (s) => ({
              title: `Drain scheduler ${s.id}?`,
              body: `It stops taking tasks and hands its ${s.tasks} task(s) to the other schedulers, each after everything it read is in Kafka. It keeps running, drained, until it is stopped.`,
              confirmLabel: 'Drain',
            }),
            run: (s) => drain.mutateAsync(s.id),
          },
        ]
      : [];
  const data = query.data;
  return (
    <section className="page" aria-labelledby="schedulers-title">
      <header className="page__header">
        <div>
          <h1 id="schedulers-title">Schedulers</h1>
          <p className="muted">The schedulers of this installation as each last reported itself (every 2 s), and the tasks each one runs.</p>
        </div>
      </header>
      {query.isPending ? (
        <LoadingPanel>Loading the schedulers…</LoadingPanel>
      ) : query.error && !data ? (
        <ErrorPanel title="Could not load the schedulers" error={query.error} />
      ) : !data?.items.length ? (
        <EmptyPanel title="No scheduler has reported lately: tasks cannot run until one does." />
      ) : (
        <>
          <DataTable rows={data.items} columns={COLUMNS} rowKey={(s) => s.id} label="Schedulers" rowName={(s) => s.id} cards actions={actions} />
          {data.waiting.length > 0 && (
            <div className="notice notice--warning" role="status">
              <p>
                {data.waiting.length} task(s) wait for room on a scheduler: {data.waiting[0].reason}
              </p>
              <ul className="plain-list">
                {data.waiting.map((w) => (
                  <li key={w.taskId}>
                    <Link to={`/tasks/${w.taskId}`} className="mono">
                      {w.taskId}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  );
}
