import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { TaskCatchUpView, TaskStatus, TaskTableCounterView } from '@walbridge/contracts';
import type { TaskDetail } from '../../api/task-lifecycle.types';
import { DataTable, type DataColumn } from '../../ui/data-table';
import { formatBytes, formatDateTime, formatDecimal, formatInteger, formatRelative } from '../../ui/format';
import { TimeSeriesChart } from '../../ui/time-series-chart';
import { METRICS_RANGES, rangeOf, type MetricsRange } from './metrics-range';
import { SnapshotPanel, useTaskSnapshot } from './snapshot-panel';
import type { TaskSeries } from './use-task-series';

const MB = 1024 * 1024;

interface MonitoringPanelProps {
  task: TaskDetail;
  series: TaskSeries;
  range: MetricsRange;
  hasSnapshot: boolean | undefined;
  streaming: boolean;
}

/** The page's metrics range, kept in the URL (`?range=6h`; the default leaves it out). */
export function useMetricsRange(): [MetricsRange, (id: string) => void] {
  const [params, setParams] = useSearchParams();
  const choose = (id: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (id === METRICS_RANGES[0].id) next.delete('range');
        else next.set('range', id);
        return next;
      },
      { replace: true },
    );
  return [rangeOf(params.get('range')), choose];
}

/**
 * The task page's monitoring (issue 15 feature 4): a range kept in the URL (`?range=6h`), the
 * delay with the catch-up ETA, rows and bytes per second read and written, the WAL the slot
 * keeps against the task's alarm limit, totals per operation, per-table counters and the
 * full-synchronization progress.
 */
export function MonitoringPanel({ task, series, range, hasSnapshot, streaming }: MonitoringPanelProps) {
  const [, chooseInUrl] = useMetricsRange();
  // The URL follows a choice on the router's next render, which a busy page defers: the radio
  // shows the choice at once instead of snapping back until then.
  const [picked, setPicked] = useState<string | null>(null);
  const shown = picked ?? range.id;
  useEffect(() => {
    if (picked === range.id) setPicked(null);
  }, [picked, range.id]);
  const choose = (id: string) => {
    setPicked(id);
    chooseInUrl(id);
  };
  const metrics = series.source === 'metrics';
  const idle = (text: string) => (streaming ? undefined : text);
  const limitMb = task.alarms.walRetentionLimitMb;
  const walLimit = limitMb ? limitMb * MB : null;

  return (
    <section className="card monitoring" aria-labelledby="monitoring-title">
      <h2 id="monitoring-title" className="card__title">
        Monitoring
      </h2>
      {hasSnapshot !== false && <SnapshotPanel taskId={task.id} taskStatus={task.status} />}
      {metrics && (
        <fieldset className="range-picker">
          <legend className="visually-hidden">Time range</legend>
          {METRICS_RANGES.map((r) => (
            <label key={r.id} className={r.id === shown ? 'range-picker__option range-picker__option--on' : 'range-picker__option'}>
              <input type="radio" name="metrics-range" value={r.id} checked={r.id === shown} onChange={() => choose(r.id)} />
              {r.label}
            </label>
          ))}
        </fieldset>
      )}
      <p className="muted">
        {metrics
          ? `${range.text}${series.live ? ', live' : range.ms > 3600_000 ? ', refreshed every 30 s' : ', refreshed every 5 s'}.`
          : 'Sampled by this page every 2 s while it is open (this server keeps no metrics history yet).'}
      </p>
      {metrics && task.status === 'INCREMENTAL' && <CatchUp estimate={series.catchUp} />}
      <div className="charts">
        <TimeSeriesChart
          title="Delay"
          points={series.delay}
          format={(v) => `${formatDecimal(v)} s`}
          emptyText={streaming ? 'No metrics yet.' : 'No metrics yet: the task is not streaming.'}
          color="#b3261e"
          windowMs={range.ms}
          idleText={idle('none now: the task is not streaming')}
        />
        {metrics ? (
          <TimeSeriesChart
            title="Throughput"
            points={series.throughput}
            format={(v) => `${formatDecimal(v)} rows/s`}
            emptyText="No metrics yet."
            windowMs={range.ms}
            idleText={idle('0 rows/s now: the task is not streaming')}
            extra={[{ label: 'read', values: series.rowsRead.map((p) => p.value), color: '#7a5af8', dashed: true }]}
          />
        ) : (
          <TimeSeriesChart
            title="Throughput"
            points={series.throughput}
            format={(v) => `${formatBytes(v)}/s`}
            emptyText="No metrics yet."
            windowMs={range.ms}
            idleText={idle('none now: the task is not streaming')}
          />
        )}
        {metrics && (
          <>
            <TimeSeriesChart
              title="Bytes per second"
              points={series.bytesWritten}
              format={(v) => `${formatBytes(v)}/s`}
              emptyText="No metrics yet."
              color="#0f7b6c"
              windowMs={range.ms}
              idleText={idle('0 B/s now: the task is not streaming')}
              extra={[{ label: 'read', values: series.bytesRead.map((p) => p.value), color: '#7a5af8', dashed: true }]}
            />
            <TimeSeriesChart
              title="Retained WAL"
              points={series.retainedWal}
              format={formatBytes}
              emptyText="Not measured yet."
              color="#a15c00"
              windowMs={range.ms}
              extra={walLimit ? [{ label: 'alarm limit', values: series.retainedWal.map(() => walLimit), color: '#b3261e', dashed: true }] : []}
            />
          </>
        )}
      </div>
      {series.source === 'sampled' && <p className="muted chart-note">Throughput here is how fast the confirmed position moves through the source’s WAL.</p>}
      {metrics && <OperationTotals task={task} totals={series.totals} truncates={series.tables.reduce((n, t) => n + t.truncates, 0)} />}
      {metrics && <TableCounters tables={series.tables} />}
    </section>
  );
}

/**
 * Next to the delay: caught up, catching up and by when, or falling behind. Said for a task that
 * streams changes only: during a full synchronization the delay covers the changes, not the
 * existing rows, whose ETA the progress above gives.
 */
export function catchUpText(estimate: TaskCatchUpView): string | null {
  switch (estimate.state) {
    case 'caught-up':
      return 'caught up';
    case 'catching-up':
      return `catching up: ${approximately(estimate.etaSeconds)}`;
    case 'steady':
      return `delay steady at ${formatDecimal(estimate.delaySeconds)} s`;
    case 'falling-behind':
      return 'falling behind';
    default:
      return null;
  }
}

function approximately(seconds: number): string {
  if (seconds < 60) return `~${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `~${Math.round(seconds / 60)} min`;
  return `~${(seconds / 3600).toFixed(1)} h`;
}

function CatchUp({ estimate }: { estimate: TaskCatchUpView }) {
  const text = catchUpText(estimate);
  if (!text) return null;
  return (
    <p className={`catch-up catch-up--${estimate.state}`} role="status" aria-label="Catch-up">
      <strong>Catch-up:</strong> {text}
    </p>
  );
}

function OperationTotals({ task, totals, truncates }: { task: TaskDetail; totals: { inserts: number | null; updates: number | null; deletes: number | null } | null; truncates: number }) {
  const snapshot = useTaskSnapshot(task.id, task.status as TaskStatus);
  const snapshotRows = snapshot.data && snapshot.data.status !== 'none' ? snapshot.data.tables.reduce((n, t) => n + t.rowsSent, 0) : 0;
  const items: [string, number | null][] = [
    ['INSERT', totals?.inserts ?? null],
    ['UPDATE', totals?.updates ?? null],
    ['DELETE', totals?.deletes ?? null],
    ['TRUNCATE', truncates],
    ['Rows of the latest full synchronization', snapshotRows],
  ];
  return (
    <section aria-labelledby="totals-title" className="monitoring__totals">
      <h3 id="totals-title" className="monitoring__subtitle">
        Totals since the task was created
      </h3>
      <dl className="facts">
        {items.map(([term, value]) => (
          <div key={term} className="facts__item">
            <dt>{term}</dt>
            <dd>{value === null ? '—' : formatInteger(value)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const TABLE_COLUMNS: DataColumn<TaskTableCounterView>[] = [
  { id: 'table', header: 'Table', rowHeader: true, cell: (t) => <code>{t.table}</code> },
  { id: 'rows', header: 'Rows', cell: (t) => formatInteger(t.rows) },
  { id: 'inserts', header: 'Inserts', cell: (t) => formatInteger(t.inserts) },
  { id: 'updates', header: 'Updates', cell: (t) => formatInteger(t.updates) },
  { id: 'deletes', header: 'Deletes', cell: (t) => formatInteger(t.deletes) },
  { id: 'truncates', header: 'Truncates', cell: (t) => formatInteger(t.truncates) },
  {
    id: 'last',
    header: 'Last change',
    cell: (t) =>
      t.lastChangeAt ? (
        <time dateTime={t.lastChangeAt} title={formatDateTime(t.lastChangeAt)}>
          {formatRelative(t.lastChangeAt)}
        </time>
      ) : (
        '—'
      ),
  },
];

function TableCounters({ tables }: { tables: TaskTableCounterView[] }) {
  return (
    <section aria-labelledby="table-counters-title" className="monitoring__tables">
      <h3 id="table-counters-title" className="monitoring__subtitle">
        Changes per table
      </h3>
      {tables.length ? (
        <DataTable rows={tables} columns={TABLE_COLUMNS} rowKey={(t) => t.table} label="Changes sent per table" cards />
      ) : (
        <p className="muted">No changes sent yet.</p>
      )}
    </section>
  );
}
