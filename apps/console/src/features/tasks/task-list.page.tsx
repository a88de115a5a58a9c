import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { hasRole, type Page, type TaskSort } from '@walbridge/contracts';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { useMe } from '../auth/use-me.query';
import { formatTime } from '../../ui/format';
import { pageCount, Pagination } from '../../ui/pagination';
import type { RowSelection } from '../../ui/data-table';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { TaskBulkActions } from './task-bulk-actions';
import { TaskListFilters } from './task-list-filters';
import { TaskTable } from './task-table';
import { useTaskListParams } from './use-task-list-params';
import { TASKS_REFRESH_MS, useTasks } from './use-tasks.query';

export function TaskListPage() {
  const { params, setFilters, setPage, clearFilters } = useTaskListParams();
  const query = useTasks(params);
  const filtered = Boolean(params.q || params.status || params.attention);
  const me = useMe();
  const canCreate = !!me.data && hasRole(me.data.role, 'operator');
  const [selectedIds, setSelectedIds] = useState<Set<string>>(new Set());
  // Only rows on screen count: a task that left the page (another filter or page, or deleted) is never acted on unseen.
  const selected = query.data?.items.filter((t) => selectedIds.has(t.id)) ?? [];

  useEffect(() => {
    document.title = 'Tasks · Walbridge';
  }, []);

  // Tasks deleted elsewhere can leave the URL on a page that no longer exists; move to the last one.
  const total = query.data?.total ?? 0;
  const lastPage = query.data ? pageCount(total, query.data.pageSize) : null;
  useEffect(() => {
    if (lastPage !== null && total > 0 && params.page > lastPage) setPage(lastPage, true);
  }, [lastPage, total, params.page, setPage]);

  return (
    <section className="page" aria-labelledby="task-list-title">
      <header className="page__header">
        <div>
          <h1 id="task-list-title">Tasks</h1>
          <p className="muted">Replication tasks from PostgreSQL to Kafka. Refreshes every {TASKS_REFRESH_MS / 1000} s.</p>
        </div>
        {canCreate && (
          <Link className="button button--primary" to="/tasks/new">
            Create task
          </Link>
        )}
      </header>

      <TaskListFilters
        q={params.q}
        status={params.status}
        attention={params.attention}
        onSearch={(q) => setFilters({ q }, true)}
        onStatusChange={(status) => setFilters({ status })}
        onAttentionChange={(attention) => setFilters({ attention: attention ? '1' : undefined })}
      />

      {canCreate && <TaskBulkActions tasks={selected} onSelect={setSelectedIds} />}

      <TaskListBody
        data={query.data}
        error={query.error}
        isPending={query.isPending}
        isPlaceholderData={query.isPlaceholderData}
        dataUpdatedAt={query.dataUpdatedAt}
        filtered={filtered}
        canCreate={canCreate}
        selection={canCreate ? { selected: new Set(selected.map((t) => t.id)), onChange: setSelectedIds } : undefined}
        onRetry={() => void query.refetch()}
        onClearFilters={clearFilters}
        onPageChange={(page) => setPage(page)}
        sort={params.sort}
        onSortChange={(sort) => setFilters({ sort })}
      />
    </section>
  );
}

interface TaskListBodyProps {
  data: Page<TaskDetail> | undefined;
  canCreate: boolean;
  /** Operators and admins select rows for the bulk actions. */
  selection?: RowSelection;
  error: Error | null;
  isPending: boolean;
  isPlaceholderData: boolean;
  dataUpdatedAt: number;
  filtered: boolean;
  onRetry: () => void;
  onClearFilters: () => void;
  onPageChange: (page: number) => void;
  sort?: TaskSort;
  onSortChange: (sort: TaskSort) => void;
}

function TaskListBody(props: TaskListBodyProps) {
  const { data, error, isPending, isPlaceholderData, dataUpdatedAt, filtered } = props;
  const retry = (
    <button type="button" className="button" onClick={props.onRetry}>
      Try again
    </button>
  );

  if (isPending) return <LoadingPanel>Loading tasks…</LoadingPanel>;
  if (!data) return <ErrorPanel title="Could not load tasks" error={error} action={retry} />;

  if (data.total === 0) {
    return filtered ? (
      <EmptyPanel title="No tasks match these filters.">
        <button type="button" className="button" onClick={props.onClearFilters}>
          Clear filters
        </button>
      </EmptyPanel>
    ) : (
      <EmptyPanel title="No tasks yet.">
        {props.canCreate ? (
          <Link className="button button--primary" to="/tasks/new">
            Create your first task
          </Link>
        ) : (
          <p className="muted">An operator or admin creates tasks.</p>
        )}
      </EmptyPanel>
    );
  }

  return (
    <div className="task-list" aria-busy={isPlaceholderData}>
      {/* A failed background refresh keeps the last good rows, but says they may be stale. */}
      {error && <StaleDataWarning error={error} updatedAt={dataUpdatedAt} />}
      <TaskTable
        tasks={data.items}
        caption={`Tasks, page ${data.page}`}
        sort={props.sort}
        onSortChange={props.onSortChange}
        selection={props.selection}
      />
      <Pagination
        page={data.page}
        pageSize={data.pageSize}
        total={data.total}
        noun="tasks"
        onPageChange={props.onPageChange}
      />
    </div>
  );
}

function StaleDataWarning({ error, updatedAt }: { error: Error; updatedAt: number }) {
  return (
    <p className="notice notice--warning" role="status">
      Could not refresh: {error.message.replace(/\.$/, '')}. Showing tasks as of {formatTime(updatedAt)}.
    </p>
  );
}
