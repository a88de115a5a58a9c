import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { NOTIFICATION_KINDS, NOTIFICATION_SEVERITIES } from '@walbridge/contracts';
import { isMissingEndpoint } from '../../api/api-client';
import { markAllNotificationsRead, markNotificationRead, type NotificationView } from '../../api/notifications.api';
import { FilterSelect } from '../../ui/filter-select';
import { RelativeTime } from '../../ui/relative-time';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useTasks } from '../tasks/use-tasks.query';
import { KIND_TEXT, SEVERITY_TEXT } from './notification-text';
import { useInbox, type InboxFilters } from './use-notifications.query';
import { notificationsKey } from './use-unread-count';

/** The inbox, newest first, narrowed by task, type, severity and read state. */
export function Inbox({ available }: { available: boolean | undefined }) {
  const [filters, setFilters] = useState<InboxFilters>({ unreadOnly: false });
  const queryClient = useQueryClient();
  const inbox = useInbox(filters, available);
  const read = useMutation({ mutationFn: markNotificationRead, onSettled: () => queryClient.invalidateQueries({ queryKey: notificationsKey }) });
  const readAll = useMutation({ mutationFn: markAllNotificationsRead, onSettled: () => queryClient.invalidateQueries({ queryKey: notificationsKey }) });

  if (available === false || isMissingEndpoint(inbox.error)) return <EmptyPanel title="This server does not send notifications yet." />;
  const filtered = !!(filters.taskId || filters.kind || filters.severity || filters.unreadOnly);
  return (
    <>
      <InboxFilterBar filters={filters} onChange={(change) => setFilters((f) => ({ ...f, ...change }))} />
      {inbox.isPending ? (
        <LoadingPanel>Loading notifications…</LoadingPanel>
      ) : inbox.error ? (
        <ErrorPanel title="Could not load the notifications" error={inbox.error} />
      ) : (
        <>
          {inbox.data.unreadCount > 0 && (
            <p>
              <button type="button" className="button button--small" onClick={() => readAll.mutate()} disabled={readAll.isPending}>
                Mark all as read ({inbox.data.unreadCount})
              </button>
            </p>
          )}
          {!inbox.data.items.length ? (
            <EmptyPanel title={filtered ? 'No notification matches these filters.' : 'No notifications.'} />
          ) : (
            <ul className="notification-list" aria-label="Notifications">
              {inbox.data.items.map((n) => (
                <NotificationItem key={n.id} notification={n} onRead={() => read.mutate(n.id)} reading={read.isPending && read.variables === n.id} />
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

function InboxFilterBar({ filters, onChange }: { filters: InboxFilters; onChange: (change: Partial<InboxFilters>) => void }) {
  const tasks = useTasks({ page: 1, pageSize: 100, sort: 'name' });
  return (
    <div className="filters">
      <FilterSelect
        label="Task"
        allLabel="All tasks"
        value={filters.taskId ?? ''}
        options={(tasks.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
        onChange={(taskId) => onChange({ taskId })}
      />
      <FilterSelect label="Type" allLabel="All types" value={filters.kind ?? ''} options={NOTIFICATION_KINDS.map((k) => ({ value: k, label: KIND_TEXT[k] }))} onChange={(kind) => onChange({ kind })} />
      <FilterSelect
        label="Severity"
        allLabel="Any severity"
        value={filters.severity ?? ''}
        options={NOTIFICATION_SEVERITIES.map((s) => ({ value: s, label: SEVERITY_TEXT[s] }))}
        onChange={(severity) => onChange({ severity })}
      />
      <label className="choice filters__attention">
        <input type="checkbox" checked={filters.unreadOnly} onChange={(e) => onChange({ unreadOnly: e.target.checked })} />
        <span>Unread only</span>
      </label>
    </div>
  );
}

function NotificationItem({ notification: n, onRead, reading }: { notification: NotificationView; onRead: () => void; reading: boolean }) {
  return (
    <li className={`notification${n.read ? '' : ' notification--unread'} notification--${n.severity}`}>
      <p className="notification__title">
        {!n.read && <span className="visually-hidden">Unread: </span>}
        <strong>{n.title}</strong> <span className="muted">{SEVERITY_TEXT[n.severity]} · </span>
        <RelativeTime iso={n.createdAt} className="muted" />
      </p>
      {n.task && (
        <p>
          Task <Link to={`/tasks/${n.task.id}`}>{n.task.name || n.task.id}</Link>
        </p>
      )}
      <p>{n.message}</p>
      {n.runbook && (
        <p className="notification__runbook">
          <strong>What to do:</strong> {n.runbook}
        </p>
      )}
      {n.deliveries.length > 0 && (
        <details className="notification__deliveries">
          <summary>
            Sent to{' '}
            {n.deliveries.map((d) => `${d.channelType} ${d.channelName}: ${d.status}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}`).join('; ')}
          </summary>
          <ul>
            {n.deliveries.flatMap((d) =>
              d.log.map((a) => (
                <li key={`${d.id}-${a.at}`}>
                  <RelativeTime iso={a.at} /> {d.channelName}: {a.ok ? 'delivered' : 'failed'} ({a.detail})
                </li>
              )),
            )}
          </ul>
        </details>
      )}
      {!n.read && (
        <button type="button" className="button button--small" onClick={onRead} disabled={reading} aria-label={`Mark “${n.title}” as read`}>
          Mark as read
        </button>
      )}
    </li>
  );
}
