import type { ReactNode } from 'react';
import { AUTO_TOPIC_DEFAULTS, type TaskView } from '@walbridge/contracts';
import { EMPTY_VALUE, formatDateTime } from '../../ui/format';
import { FormSection } from '../../ui/form-section';

const SUMMARY_TABLES = 20;

/** The whole configuration of a task, as saved (the wizard's last step and the task page). */
export function TaskSummary({ task, title = 'Summary', full }: { task: TaskView; title?: string; full?: boolean }) {
  const p = task.policy;
  const d = task.destination;
  const topic =
    p.topicPolicy.mode === 'specific'
      ? `topic ${p.topicPolicy.topic}`
      : `generated: ${p.topicPolicy.nameFormat} (${p.topicPolicy.partitions ?? AUTO_TOPIC_DEFAULTS.partitions} partition(s), replication ${p.topicPolicy.replicationFactor ?? AUTO_TOPIC_DEFAULTS.replicationFactor})`;
  const customized = p.tables.filter((t) => tableOverrides(t).length > 0);
  const partition = { table: 'hash of database.schema.table', primaryKey: 'hash of the primary key', schema: 'hash of database.schema', zero: 'partition 0' }[p.partitionPolicy];
  return (
    <FormSection title={title} className="summary">
      <dl className="summary-list">
        <SummaryItem term="Name">{task.name}</SummaryItem>
        <SummaryItem term="Description">{task.description || EMPTY_VALUE}</SummaryItem>
        <SummaryItem term="Tags">{task.tags.length ? task.tags.map((t) => `${t.key}=${t.value}`).join(', ') : EMPTY_VALUE}</SummaryItem>
        <SummaryItem term="Source">
          <span className="mono">
            {task.source.username}@{task.source.host}:{task.source.port}/{task.source.database}
          </span>{' '}
          <span className="muted">(SSL {task.source.sslMode})</span>
        </SummaryItem>
        <SummaryItem term="Destination">
          <span className="mono">{d.brokers}</span> <span className="muted">({d.securityProtocol}{d.saslMechanism ? `, ${d.saslMechanism}` : ''})</span>
        </SummaryItem>
        <SummaryItem term="Synchronization type">
          {p.syncMode === 'full+incremental' ? 'Full + incremental (existing rows first, then changes)' : 'Incremental (changes only)'}
        </SummaryItem>
        <SummaryItem term="Operations">
          {p.dmlOperations.join(', ')}
          {p.tables.some((t) => t.dmlOperations) && <span className="muted"> (for the tables without their own, listed below)</span>}
        </SummaryItem>
        <SummaryItem term="Replication slot">
          <code>{task.slotName}</code>
        </SummaryItem>
        <SummaryItem term="Objects">
          {p.objectScope === 'database' ? (
            p.schemas?.length ? (
              `every table of schema${p.schemas.length === 1 ? '' : 's'} ${p.schemas.join(', ')}`
            ) : (
              `every table of ${task.source.database}`
            )
          ) : (
            <>
              {p.tables.length} table{p.tables.length === 1 ? '' : 's'}:{' '}
              <span className="mono">
                {p.tables
                  .slice(0, SUMMARY_TABLES)
                  .map((t) => `${t.schema}.${t.table}`)
                  .join(', ')}
              </span>
              {p.tables.length > SUMMARY_TABLES && ` and ${p.tables.length - SUMMARY_TABLES} more`}
            </>
          )}
        </SummaryItem>
        {customized.length > 0 && (
          <SummaryItem term="Per-table settings">
            <ul className="table-overrides" aria-label="Per-table settings">
              {customized.slice(0, SUMMARY_TABLES).map((t) => (
                <li key={`${t.schema}.${t.table}`}>
                  <span className="mono">
                    {t.schema}.{t.table}
                  </span>
                  : {tableOverrides(t).join('; ')}
                </li>
              ))}
              {customized.length > SUMMARY_TABLES && <li>and {customized.length - SUMMARY_TABLES} more tables with their own settings</li>}
            </ul>
          </SummaryItem>
        )}
        <SummaryItem term="Topics">{topic}</SummaryItem>
        <SummaryItem term="Partitions">{partition}</SummaryItem>
        <SummaryItem term="Format">
          {p.format.toUpperCase()}, compression {p.compression}
        </SummaryItem>
        {full && (
          <>
            <SummaryItem term="Start">{task.start.mode === 'at' && task.start.at ? `at ${formatDateTime(task.start.at)}` : 'now'}</SummaryItem>
            <SummaryItem term="Delay alarm">
              {task.alarms.delayThresholdSeconds ? `above ${task.alarms.delayThresholdSeconds} s for ${task.alarms.delaySustainSeconds} s` : 'off'}
            </SummaryItem>
            <SummaryItem term="Notifications">
              {task.alarms.notify ? `on${task.alarms.channelIds.length ? `, ${task.alarms.channelIds.length} channel(s)` : ''}` : 'off'}
              {task.alarms.dataExceptionNotify ? '; data exceptions notified' : ''}
            </SummaryItem>
            <SummaryItem term="Abnormal auto-stop">after {task.alarms.abnormalStopDays} days</SummaryItem>
            <SummaryItem term="Retries">
              connection failures for {task.retry.connectionMinutes} min, others for {task.retry.otherMinutes} min
            </SummaryItem>
          </>
        )}
      </dl>
    </FormSection>
  );
}

type TableSelection = TaskView['policy']['tables'][number];

/** What a table does differently from the task, in words. */
export function tableOverrides(t: TableSelection): string[] {
  const out: string[] = [];
  if (t.dmlOperations) out.push(`operations ${t.dmlOperations.length ? t.dmlOperations.join(', ') : 'none'}`);
  if (t.topic) out.push(`topic ${t.topic}`);
  if (t.filter) out.push(`rows where ${t.filter}`);
  if (t.includeColumns?.length) out.push(`only columns ${t.includeColumns.join(', ')}`);
  if (t.excludeColumns?.length) out.push(`all columns but ${t.excludeColumns.join(', ')}`);
  return out;
}

function SummaryItem({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="summary-list__item">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
