import { useEffect } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { AuditLogEntryView } from '@walbridge/contracts';
import { DataTable, type DataColumn } from '../../ui/data-table';
import { EMPTY_VALUE, formatDateTime } from '../../ui/format';
import { SearchInput } from '../../ui/search-input';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useAuditLog } from './use-audit-log.query';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who did what, when, to which task (admins only; the API refuses everyone else). */
export function AuditLogPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const taskId = searchParams.get('taskId') ?? '';
  const actor = searchParams.get('actor') ?? '';
  const validTaskId = !taskId || UUID.test(taskId);

  useEffect(() => {
    document.title = 'Audit log · Walbridge';
  }, []);

  const query = useAuditLog({ taskId, actor }, validTaskId);

  const setFilter = (key: 'taskId' | 'actor', value: string) =>
    setSearchParams((params) => {
      if (value) params.set(key, value);
      else params.delete(key);
      return params;
    });

  const entries = query.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="page" aria-labelledby="audit-title">
      <header className="page__header">
        <div>
          <h1 id="audit-title">Audit log</h1>
          <p className="muted">Every change and operation, with who did it and how it ended. Newest first.</p>
        </div>
      </header>
      <div className="filters">
        <SearchInput label="Task id" placeholder="A task's id" value={taskId} onSearch={(v) => setFilter('taskId', v)} />
        <SearchInput label="User" placeholder="A user name" value={actor} onSearch={(v) => setFilter('actor', v)} />
      </div>
      {!validTaskId ? (
        <p className="notice notice--error" role="alert">
          A task id looks like 3f2c8a4e-1b7d-4c1e-9a65-0e4f2b6d8c10.
        </p>
      ) : query.isPending ? (
        <LoadingPanel>Loading the audit log…</LoadingPanel>
      ) : query.error && !entries.length ? (
        <ErrorPanel title="Could not load the audit log" error={query.error} />
      ) : !entries.length ? (
        <EmptyPanel title="Nothing recorded for these filters." />
      ) : (
        <>
          <AuditTable entries={entries} />
          {query.hasNextPage && (
            <button type="button" className="button" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? 'Loading…' : 'Older entries'}
            </button>
          )}
        </>
      )}
    </section>
  );
}

const AUDIT_COLUMNS: DataColumn<AuditLogEntryView>[] = [
  { id: 'at', header: 'When', cell: (e) => formatDateTime(e.at) },
  {
    id: 'actor',
    header: 'Who',
    cell: (e) => (
      <>
        {e.actor}
        {e.actorRole && <span className="muted"> ({e.actorRole})</span>}
      </>
    ),
  },
  { id: 'action', header: 'What', cell: (e) => <code>{e.action}</code> },
  { id: 'task', header: 'Task', className: 'mono', cell: (e) => e.taskId ?? EMPTY_VALUE },
  {
    id: 'result',
    header: 'Result',
    cell: (e) => (
      <>
        <span className={`audit-result audit-result--${e.result}`}>{e.result}</span> <span className="muted">{e.statusCode}</span>
      </>
    ),
  },
  { id: 'details', header: 'Details', cell: (e) => e.error ?? <span className="muted">{`${e.method} ${e.path}`}</span> },
];

function AuditTable({ entries }: { entries: AuditLogEntryView[] }) {
  return <DataTable rows={entries} columns={AUDIT_COLUMNS} rowKey={(e) => e.id} label="Audit log entries" />;
}
