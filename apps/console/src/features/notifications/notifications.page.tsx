import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormProvider, useForm, useWatch } from 'react-hook-form';
import { Link } from 'react-router-dom';
import { z } from 'zod';
import { CHANNEL_TYPES, hasRole, type ChannelType, type CreateChannelInput } from '@walbridge/contracts';
import { isMissingEndpoint } from '../../api/api-client';
import {
  createChannel,
  deleteChannel,
  markAllNotificationsRead,
  markNotificationRead,
  testChannel,
  type NotificationChannelView,
  type NotificationView,
} from '../../api/notifications.api';
import { DataTable, type DataColumn, type RowAction } from '../../ui/data-table';
import { RadioGroupField, TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { FormSection } from '../../ui/form-section';
import { formatDateTime } from '../../ui/format';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useMe } from '../auth/use-me.query';
import { useApiRoutes } from '../capabilities/use-api-routes';
import { channelsKey, useChannels, useInbox } from './use-notifications.query';
import { notificationsKey } from './use-unread-count';
import { zodFormResolver, useApiSubmit } from '../../ui/zod-form';

export function NotificationsPage() {
  const routes = useApiRoutes();
  const me = useMe();
  useEffect(() => {
    document.title = 'Notifications · Walbridge';
  }, []);

  return (
    <section className="page" aria-labelledby="notifications-title">
      <header className="page__header">
        <div>
          <h1 id="notifications-title">Notifications</h1>
          <p className="muted">Delay alarms, abnormal tasks, data exceptions and automatic stops, with what to do about them.</p>
        </div>
      </header>
      <section className="card" aria-labelledby="inbox-title">
        <h2 id="inbox-title" className="card__title">
          Inbox
        </h2>
        <Inbox available={routes.has('GET', '/notifications')} />
      </section>
      <section className="card" aria-labelledby="channels-title">
        <h2 id="channels-title" className="card__title">
          Channels
        </h2>
        <p className="muted">Where notifications are sent besides this inbox: a webhook (JSON POST signed with HMAC-SHA256) or e-mail.</p>
        <Channels available={routes.has('GET', '/notification-channels')} canEdit={!!me.data && hasRole(me.data.role, 'operator')} />
      </section>
    </section>
  );
}

function Inbox({ available }: { available: boolean | undefined }) {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const queryClient = useQueryClient();
  const inbox = useInbox(unreadOnly, available);
  const read = useMutation({ mutationFn: markNotificationRead, onSettled: () => queryClient.invalidateQueries({ queryKey: notificationsKey }) });
  const readAll = useMutation({ mutationFn: markAllNotificationsRead, onSettled: () => queryClient.invalidateQueries({ queryKey: notificationsKey }) });

  if (available === false || isMissingEndpoint(inbox.error)) return <EmptyPanel title="This server does not send notifications yet." />;
  if (inbox.isPending) return <LoadingPanel>Loading notifications…</LoadingPanel>;
  if (inbox.error) return <ErrorPanel title="Could not load the notifications" error={inbox.error} />;
  const items = inbox.data.items;
  return (
    <>
      <label className="choice choice--inline">
        <input type="checkbox" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
        <span>Unread only</span>
      </label>
      {inbox.data.unreadCount > 0 && (
        <button type="button" className="button button--small" onClick={() => readAll.mutate()} disabled={readAll.isPending}>
          Mark all as read ({inbox.data.unreadCount})
        </button>
      )}
      {!items.length ? (
        <EmptyPanel title={unreadOnly ? 'Nothing unread.' : 'No notifications.'} />
      ) : (
        <ul className="notification-list">
          {items.map((n) => (
            <NotificationItem key={n.id} notification={n} onRead={() => read.mutate(n.id)} reading={read.isPending && read.variables === n.id} />
          ))}
        </ul>
      )}
    </>
  );
}

function NotificationItem({ notification: n, onRead, reading }: { notification: NotificationView; onRead: () => void; reading: boolean }) {
  return (
    <li className={`notification${n.read ? '' : ' notification--unread'} notification--${n.severity}`}>
      <p className="notification__title">
        {!n.read && <span className="visually-hidden">Unread: </span>}
        <strong>{n.title}</strong> <time dateTime={n.createdAt} className="muted">{formatDateTime(n.createdAt)}</time>
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
                  <time dateTime={a.at}>{formatDateTime(a.at)}</time> {d.channelName}: {a.ok ? 'delivered' : 'failed'} ({a.detail})
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

const channelFormSchema = z
  .object({
    type: z.enum(CHANNEL_TYPES),
    name: z.string().min(1, 'name is required').max(64, 'name must be at most 64 characters'),
    url: z.string().url('url must be an http(s) address').optional(),
    secret: z.string().max(256).optional(),
    to: z.array(z.string().email('each recipient must be an e-mail address')).max(20).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'webhook' && !v.url) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: 'url is required for a webhook' });
    if (v.type === 'webhook' && (v.secret ?? '').length < 16) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['secret'], message: 'secret must be at least 16 characters' });
    if (v.type === 'email' && !v.to?.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['to'], message: 'give at least one recipient' });
  });

type ChannelValues = { type: ChannelType; name: string; url: string; secret: string; to: string };

const channelInput = (v: ChannelValues): CreateChannelInput =>
  v.type === 'webhook'
    ? { type: 'webhook', name: v.name.trim(), url: v.url.trim(), secret: v.secret }
    : { type: 'email', name: v.name.trim(), to: v.to.split(',').map((t) => t.trim()).filter(Boolean) };

const CHANNEL_COLUMNS: DataColumn<NotificationChannelView>[] = [
  { id: 'name', header: 'Name', rowHeader: true, cell: (c) => c.name },
  { id: 'type', header: 'Kind', cell: (c) => (c.type === 'webhook' ? 'Webhook' : 'E-mail') },
  { id: 'address', header: 'Sends to', className: 'mono', cell: (c) => (c.type === 'webhook' ? c.url : c.to?.join(', ')) },
];

function Channels({ available, canEdit }: { available: boolean | undefined; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const channels = useChannels(available);
  const [tested, setTested] = useState<{ id: string; ok: boolean; message: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: channelsKey });
  const test = useMutation({
    mutationFn: testChannel,
    onSuccess: (r, id) => setTested({ id, ok: r.ok, message: r.ok ? `Test notification delivered (${r.detail}).` : `Test notification failed: ${r.detail}` }),
    onError: (error, id) => setTested({ id, ok: false, message: error.message }),
  });
  const actions: RowAction<NotificationChannelView>[] = [
    // Its result (or failure) is shown on the channel's row, by the mutation's callbacks.
    { label: 'Send a test', run: (c) => test.mutateAsync(c.id).catch(() => undefined) },
    {
      label: 'Delete',
      danger: true,
      confirm: (c) => ({ title: `Delete channel ${c.name}?`, body: <p>Tasks that send to it keep notifying the inbox and their other channels.</p> }),
      run: async (c) => {
        try {
          await deleteChannel(c.id);
        } finally {
          await refresh();
        }
      },
    },
  ];

  if (available === false || isMissingEndpoint(channels.error)) return <EmptyPanel title="This server has no notification channels yet." />;
  if (channels.isPending) return <LoadingPanel>Loading channels…</LoadingPanel>;
  if (channels.error) return <ErrorPanel title="Could not load the channels" error={channels.error} />;
  return (
    <>
      {!channels.data.length ? (
        <EmptyPanel title="No channels yet." />
      ) : (
        <DataTable
          rows={channels.data}
          columns={CHANNEL_COLUMNS}
          rowKey={(c) => c.id}
          label="Notification channels"
          cards
          actions={canEdit ? actions : []}
          actionsExtra={
            canEdit
              ? (c) =>
                  tested?.id === c.id && (
                    <p className={tested.ok ? 'test-result test-result--passed' : 'test-result test-result--failed'} role="status">
                      {tested.message}
                    </p>
                  )
              : undefined
          }
        />
      )}
      {canEdit && <NewChannelForm onCreated={refresh} />}
    </>
  );
}

function NewChannelForm({ onCreated }: { onCreated: () => void }) {
  const form = useForm<ChannelValues>({ defaultValues: { type: 'webhook', name: '', url: '', secret: '', to: '' }, resolver: zodFormResolver(channelInput, channelFormSchema) });
  const type = useWatch({ control: form.control, name: 'type' });
  const { run, problem } = useApiSubmit(form, (p) => ['type', 'name', 'url', 'secret'].includes(p) || p.startsWith('to'));
  const submit = run(async (values) => {
    await createChannel(channelInput(values));
    form.reset();
    onCreated();
  });
  return (
    <FormProvider {...form}>
      <FormSection title="Add a channel" level={3} onSubmit={submit}>
        <RadioGroupField
          name="type"
          legend="Kind"
          options={[
            { value: 'webhook', label: 'Webhook' },
            { value: 'email', label: 'E-mail' },
          ]}
        />
        <TextField name="name" label="Channel name" autoComplete="off" />
        {type === 'webhook' ? (
          <>
            <TextField name="url" label="URL" type="url" autoComplete="off" spellCheck={false} />
            <TextField
              name="secret"
              label="Signing secret"
              type="password"
              autoComplete="new-password"
              hint="At least 16 characters: each POST carries X-Walbridge-Signature, an HMAC-SHA256 of the body with it."
            />
          </>
        ) : (
          <TextField name="to" label="Recipients" autoComplete="off" hint="E-mail addresses, comma separated; sent through the server's SMTP settings (WALBRIDGE_SMTP_URL)." errorPaths={['to']} />
        )}
        <SubmitProblemNotice problem={problem} />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Add channel
        </button>
      </FormSection>
    </FormProvider>
  );
}
