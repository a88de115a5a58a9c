import { useInfiniteQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { isMissingEndpoint } from '../../api/api-client';
import { getTaskLogs, type TaskLogLevel } from '../../api/tasks.api';
import { formatDateTime } from '../../ui/format';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';

const LEVEL_FILTERS: { value: string; label: string; levels?: TaskLogLevel[] }[] = [
  { value: 'all', label: 'All levels' },
  { value: 'warning', label: 'Warnings and errors', levels: ['warning', 'error'] },
  { value: 'error', label: 'Errors only', levels: ['error'] },
];

/** The task log (`GET /tasks/{id}/logs`), newest first, refreshed while the page is open. */
export function TaskLogs({ taskId, available }: { taskId: string; available: boolean | undefined }) {
  const [filter, setFilter] = useState('all');
  const selectId = useId();
  const levels = LEVEL_FILTERS.find((f) => f.value === filter)?.levels;
  const logs = useInfiniteQuery({
    queryKey: ['tasks', 'logs', taskId, filter],
    queryFn: ({ pageParam, signal }) => getTaskLogs(taskId, { levels, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: available !== false,
    refetchInterval: 5_000,
    retry: false,
  });

  if (available === false || isMissingEndpoint(logs.error)) {
    return <EmptyPanel title="This server does not keep a task log yet." />;
  }
  const entries = logs.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="task-logs">
      <div className="filters">
        <div className="field">
          <label htmlFor={selectId}>Log level</label>
          <select id={selectId} value={filter} onChange={(e) => setFilter(e.target.value)}>
            {LEVEL_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {logs.isPending ? (
        <LoadingPanel>Loading the log…</LoadingPanel>
      ) : logs.error && !entries.length ? (
        <ErrorPanel title="Could not load the log" error={logs.error} />
      ) : !entries.length ? (
        <EmptyPanel title={filter === 'all' ? 'Nothing logged yet.' : 'No entries at this level.'} />
      ) : (
        <>
          <ol className="log-list" aria-label="Task log, newest first">
            {entries.map((e) => (
              <li key={e.id} className={`log-entry log-entry--${e.level}`}>
                <time dateTime={e.time} className="log-entry__time">
                  {formatDateTime(e.time)}
                </time>
                <span className={`log-level log-level--${e.level}`}>{e.level}</span>
                <span className="log-entry__message">{e.message}</span>
              </li>
            ))}
          </ol>
          {logs.hasNextPage && (
            <button type="button" className="button" disabled={logs.isFetchingNextPage} onClick={() => void logs.fetchNextPage()}>
              {logs.isFetchingNextPage ? 'Loading…' : 'Older entries'}
            </button>
          )}
        </>
      )}
    </div>
  );
}
