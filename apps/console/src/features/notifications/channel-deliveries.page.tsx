import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { hasRole } from '@walbridge/contracts';
import { retryDelivery, type ChannelDeliveryView } from '../../api/notifications.api';
import { DataTable, type DataColumn, type RowAction } from '../../ui/data-table';
import { RelativeTime } from '../../ui/relative-time';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useMe } from '../auth/use-me.query';
import { KIND_TEXT, SEVERITY_TEXT, channelSendsText } from './notification-text';
import { channelDeliveriesKey, useChannel, useChannelDeliveries } from './use-channel-deliveries.query';

const STATUS_TEXT: Record<ChannelDeliveryView['status'], string> = { pending: 'Waiting', retrying: 'Retrying', delivered: 'Delivered', failed: 'Gave up' };

const COLUMNS: DataColumn<ChannelDeliveryView>[] = [
  { id: 'at', header: 'When', cell: (d) => <RelativeTime iso={d.createdAt} /> },
  {
    id: 'notification',
    header: 'Notification',
    rowHeader: true,
    cell: (d) => (
      <>
        <strong>{d.notification.title}</strong>
        <span className="muted">
          {' '}
          {SEVERITY_TEXT[d.notification.severity]} · {KIND_TEXT[d.notification.kind]}
        </span>
        {d.notification.task && (
          <>
            {' '}
            · <Link to={`/tasks/${d.notification.task.id}`}>{d.notification.task.name || d.notification.task.id}</Link>
          </>
        )}
      </>
    ),
  },
  { id: 'status', header: 'Status', cell: (d) => <span className={`delivery-status delivery-status--${d.status}`}>{STATUS_TEXT[d.status]}</span> },
  { id: 'attempts', header: 'Attempts', cell: (d) => d.attempts },
  { id: 'last', header: 'Last answer', cell: (d) => d.lastError ?? d.log.at(-1)?.detail ?? '' },
];

/** One channel's deliveries: what was sent, how each ended, and Retry for one that gave up. */
export function ChannelDeliveriesPage() {
  const { id = '' } = useParams();
  const channel = useChannel(id);
  const deliveries = useChannelDeliveries(id);
  const me = useMe();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const name = channel.data?.name ?? 'Channel';

  useEffect(() => {
    document.title = `${name} · Notifications · Walbridge`;
  }, [name]);

  const actions: RowAction<ChannelDeliveryView>[] = [
    {
      label: 'Retry',
      ariaLabel: (d) => `Retry “${d.notification.title}”`,
      shown: (d) => d.status === 'failed',
      run: async (d) => {
        try {
          await retryDelivery(id, d.id);
          setNotice({ ok: true, text: `“${d.notification.title}” is being sent again.` });
        } catch (error) {
          setNotice({ ok: false, text: (error as Error).message });
        } finally {
          await queryClient.invalidateQueries({ queryKey: channelDeliveriesKey(id) });
        }
      },
    },
  ];
  const canRetry = !!me.data && hasRole(me.data.role, 'operator');

  return (
    <section className="page" aria-labelledby="channel-title">
      <header className="page__header">
        <div>
          <p>
            <Link to="/notifications">Notifications</Link>
          </p>
          <h1 id="channel-title">Deliveries of {name}</h1>
          {channel.data && (
            <p className="muted">
              {channel.data.type === 'webhook' ? `Webhook ${channel.data.url}` : `E-mail to ${channel.data.to?.join(', ')}`} · {channelSendsText(channel.data)}
              {!channel.data.enabled && ' · disabled'}
            </p>
          )}
        </div>
      </header>
      {notice && (
        <p className={`notice ${notice.ok ? 'notice--info' : 'notice--error'}`} role={notice.ok ? 'status' : 'alert'}>
          {notice.text}
        </p>
      )}
      {channel.error ? (
        <ErrorPanel title="Could not load the channel" error={channel.error} />
      ) : deliveries.isPending ? (
        <LoadingPanel>Loading deliveries…</LoadingPanel>
      ) : deliveries.error ? (
        <ErrorPanel title="Could not load the deliveries" error={deliveries.error} />
      ) : !deliveries.data.items.length ? (
        <EmptyPanel title="Nothing was sent to this channel yet." />
      ) : (
        <DataTable rows={deliveries.data.items} columns={COLUMNS} rowKey={(d) => d.id} label="Deliveries" cards actions={canRetry ? actions : []} />
      )}
    </section>
  );
}
