import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { AUDIT_RESULTS, type AuditLogEntryView, type AuditResult } from '@walbridge/contracts';
import { auditLogExportUrl } from '../../api/audit.api';
import { DataTable, type DataColumn } from '../../ui/data-table';
import { EMPTY_VALUE, formatDateTime } from '../../ui/format';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { auditActionText } from './audit-action-text';
import { useTimeZoneChoice } from '../../ui/time-zone';
import { AuditFilters, RESULT_TEXT, type AuditFilterValues } from './audit-filters';
import { auditQuery } from './audit-query';
import { useAuditLog } from './use-audit-log.query';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Who did what, when, to which task (admins only; the API refuses everyone else). */
export function AuditLogPage() {
  const [searchParams, setSearchParams] = useSearchParams();
  const result = searchParams.get('result') ?? '';
  const values: AuditFilterValues = {
    taskId: searchParams.get('taskId') ?? '',
    actor: searchParams.get('actor') ?? '',
    action: searchParams.get('action') ?? '',
    result: (AUDIT_RESULTS as readonly string[]).includes(result) ? (result as AuditResult) : '',
    fromDay: DAY.test(searchParams.get('from') ?? '') ? searchParams.get('from')! : '',
    toDay: DAY.test(searchParams.get('to') ?? '') ? searchParams.get('to')! : '',
  };
  const problem =
    values.taskId && !UUID.test(values.taskId)
      ? 'A task id looks like 3f2c8a4e-1b7d-4c1e-9a65-0e4f2b6d8c10.'
      : values.fromDay && values.toDay && values.fromDay > values.toDay
        ? 'The From day is after the To day.'
        : null;

  useEffect(() => {
    document.title = 'Audit log · Walbridge';
  }, []);

  // Days are read in the clock the console shows times in (the Local/UTC toggle).
  const zone = useTimeZoneChoice();
  const filters = auditQuery(values, zone);
  const query = useAuditLog(filters, !problem);

  const setFilter = (key: keyof AuditFilterValues, value: string) =>
    setSearchParams((params) => {
      const name = key === 'fromDay' ? 'from' : key === 'toDay' ? 'to' : key;
      if (value) params.set(name, value);
      else params.delete(name);
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
        {!problem && (
          <a className="button" href={auditLogExportUrl(filters)} download>
            Export CSV
          </a>
        )}
      </header>
      <AuditFilters values={values} onChange={setFilter} />
      {problem ? (
        <p className="notice notice--error" role="alert">
          {problem}
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
  {
    id: 'action',
    header: 'What',
    cell: (e) => (
      <>
        {auditActionText(e.action)} <code className="muted">{e.action}</code>
      </>
    ),
  },
  {
    id: 'task',
    header: 'Task',
    cell: (e) =>
      e.taskId === null ? (
        EMPTY_VALUE
      ) : e.taskName ? (
        <Link to={`/tasks/${e.taskId}`}>{e.taskName}</Link>
      ) : (
        <span className="mono" title="The task was deleted">
          {e.taskId}
        </span>
      ),
  },
  {
    id: 'result',
    header: 'Result',
    cell: (e) => (
      <>
        <span className={`audit-result audit-result--${e.result}`}>{RESULT_TEXT[e.result]}</span> <span className="muted">{e.statusCode}</span>
      </>
    ),
  },
  { id: 'details', header: 'Details', cell: (e) => e.error ?? <span className="muted">{`${e.method} ${e.path}`}</span> },
];

function AuditTable({ entries }: { entries: AuditLogEntryView[] }) {
  return <DataTable rows={entries} columns={AUDIT_COLUMNS} rowKey={(e) => e.id} label="Audit log entries" />;
}
