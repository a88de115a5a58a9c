import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { TaskSnapshotView } from '@walbridge/contracts';
import { getTaskSnapshot } from '../../api/snapshot.api';
import { formatInteger } from '../../ui/format';
import { formatEta, overallPercent, SNAPSHOT_STATUS_TEXT, TABLE_STATE_TEXT, tablePercent } from './snapshot-progress';

const ACTIVE = new Set(['pending', 'running']);

/**
 * The task page's full-synchronization (and backfill) progress: a bar for the whole run and one
 * per table, rows sent of the estimate, the rate and the ETA. Hidden for a task that never read
 * existing rows. Shown in the task page's Monitoring card.
 */
export function SnapshotPanel({ taskId, taskStatus }: { taskId: string; taskStatus: string }) {
  const snapshot = useTaskSnapshot(taskId, taskStatus);
  const data = snapshot.data;
  return data ? <SnapshotProgress data={data} /> : null;
}

/** The task's full synchronization (or backfill); shared by the panel and the totals per operation. */
export function useTaskSnapshot(taskId: string, taskStatus: string) {
  return useQuery({
    // Keyed by the task's status too: the panel reads again the moment FULL_SYNC turns into
    // INCREMENTAL, instead of showing "reading" next to a task that already runs.
    queryKey: ['tasks', 'snapshot', taskId, taskStatus],
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) => getTaskSnapshot(taskId, signal),
    refetchInterval: (query) => (query.state.data && ACTIVE.has(query.state.data.status) ? 2_000 : 15_000),
    retry: false,
  });
}

function SnapshotProgress({ data }: { data: TaskSnapshotView }) {
  if (data.status === 'none') return null;
  const percent = overallPercent(data);
  const active = ACTIVE.has(data.status);
  const sent = data.tables.reduce((sum, t) => sum + t.rowsSent, 0);
  const estimated = data.tables.reduce((sum, t) => sum + t.rowsEstimated, 0);
  return (
    <section className="snapshot-panel" aria-labelledby="snapshot-title">
      <h3 id="snapshot-title" className="monitoring__subtitle">
        Full synchronization
      </h3>
      <p>
        <strong>{SNAPSHOT_STATUS_TEXT[data.status]}</strong>
        {' · '}
        {formatInteger(sent)} rows sent{estimated > 0 ? ` of about ${formatInteger(estimated)}` : ''}
        {active && data.rowsPerSecond > 0 && ` · ${formatInteger(data.rowsPerSecond)} rows/s · ${formatEta(data.etaSeconds)} left`}
      </p>
      <progress className="snapshot-panel__bar" max={100} value={percent} aria-label={`Full synchronization ${percent}%`} />
      <div className="table-scroll">
        <table className="data-table snapshot-panel__tables">
          <caption className="visually-hidden">Progress per table</caption>
          <thead>
            <tr>
              <th scope="col">Table</th>
              <th scope="col">State</th>
              <th scope="col">Rows sent</th>
              <th scope="col">Chunks</th>
              <th scope="col">Progress</th>
            </tr>
          </thead>
          <tbody>
            {data.tables.map((t) => {
              const p = tablePercent(t);
              const name = `${t.schema}.${t.table}`;
              return (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td>{TABLE_STATE_TEXT[t.state]}</td>
                  <td>
                    {formatInteger(t.rowsSent)}
                    {t.rowsEstimated > 0 && <span className="muted"> of ~{formatInteger(t.rowsEstimated)}</span>}
                  </td>
                  <td>
                    {formatInteger(t.chunksDone)}
                    {t.chunksTotal > 0 && <span className="muted"> / {formatInteger(t.chunksTotal)}</span>}
                  </td>
                  <td>
                    <progress max={100} value={p} aria-label={`${name} ${p}%`} /> {p}%
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
