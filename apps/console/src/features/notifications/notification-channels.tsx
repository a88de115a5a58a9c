import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormProvider, useForm, useFormContext, useWatch } from 'react-hook-form';
import { Link } from 'react-router-dom';
import { z } from 'zod';
import { CHANNEL_TYPES, NOTIFICATION_KINDS, NOTIFICATION_SEVERITIES, type ChannelType, type CreateChannelInput, type NotificationKindName, type NotificationSeverityName } from '@walbridge/contracts';
import { isMissingEndpoint } from '../../api/api-client';
import { createChannel, deleteChannel, testChannel, type NotificationChannelView } from '../../api/notifications.api';
import { DataTable, type DataColumn, type RowAction } from '../../ui/data-table';
import { RadioGroupField, SelectField, TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { FormSection } from '../../ui/form-section';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { zodFormResolver, useApiSubmit } from '../../ui/zod-form';
import { KIND_TEXT, MIN_SEVERITY_TEXT, channelSendsText } from './notification-text';
import { channelsKey, useChannels } from './use-notifications.query';

/** Kinds a channel may choose (its own test is always sent). */
const CHOOSABLE_KINDS = NOTIFICATION_KINDS.filter((k) => k !== 'test');

const channelFormSchema = z
  .object({
    type: z.enum(CHANNEL_TYPES),
    name: z.string().min(1, 'name is required').max(64, 'name must be at most 64 characters'),
    url: z.string().url('url must be an http(s) address').optional(),
    secret: z.string().max(256).optional(),
    to: z.array(z.string().email('each recipient must be an e-mail address')).max(20).optional(),
    kinds: z.array(z.enum(NOTIFICATION_KINDS)).min(1, 'choose at least one kind, or every kind').nullable(),
    minSeverity: z.enum(NOTIFICATION_SEVERITIES),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'webhook' && !v.url) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: 'url is required for a webhook' });
    if (v.type === 'webhook' && (v.secret ?? '').length < 16) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['secret'], message: 'secret must be at least 16 characters' });
    if (v.type === 'email' && !v.to?.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['to'], message: 'give at least one recipient' });
  });

type ChannelValues = {
  type: ChannelType;
  name: string;
  url: string;
  secret: string;
  to: string;
  sends: 'all' | 'chosen';
  kinds: NotificationKindName[];
  minSeverity: NotificationSeverityName;
};

const channelInput = (v: ChannelValues): CreateChannelInput => {
  const choice = { kinds: v.sends === 'all' ? null : (v.kinds ?? []), minSeverity: v.minSeverity };
  return v.type === 'webhook'
    ? { type: 'webhook', name: v.name.trim(), url: v.url.trim(), secret: v.secret, ...choice }
    : { type: 'email', name: v.name.trim(), to: v.to.split(',').map((t) => t.trim()).filter(Boolean), ...choice };
};

const CHANNEL_COLUMNS: DataColumn<NotificationChannelView>[] = [
  { id: 'name', header: 'Name', rowHeader: true, cell: (c) => <Link to={`/notifications/channels/${c.id}`} title="Delivery history">{c.name}</Link> },
  { id: 'type', header: 'Kind', cell: (c) => (c.type === 'webhook' ? 'Webhook' : 'E-mail') },
  { id: 'address', header: 'Sends to', className: 'mono', cell: (c) => (c.type === 'webhook' ? c.url : c.to?.join(', ')) },
  { id: 'sends', header: 'Sends', cell: (c) => <span title={c.kinds?.map((k) => KIND_TEXT[k]).join(', ')}>{channelSendsText(c)}</span> },
];

export function Channels({ available, canEdit }: { available: boolean | undefined; canEdit: boolean }) {
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
  const form = useForm<ChannelValues>({
    defaultValues: { type: 'webhook', name: '', url: '', secret: '', to: '', sends: 'all', kinds: [...CHOOSABLE_KINDS], minSeverity: 'info' },
    resolver: zodFormResolver(channelInput, channelFormSchema),
  });
  const type = useWatch({ control: form.control, name: 'type' });
  const sends = useWatch({ control: form.control, name: 'sends' });
  const { run, problem } = useApiSubmit(form, (p) => ['type', 'name', 'url', 'secret', 'minSeverity'].includes(p) || p.startsWith('to') || p.startsWith('kinds'));
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
        <RadioGroupField
          name="sends"
          legend="What it is sent"
          options={[
            { value: 'all', label: 'Every kind of notification the tasks send to it' },
            { value: 'chosen', label: 'Only the kinds chosen below' },
          ]}
        />
        {sends === 'chosen' && <KindChoices />}
        <SelectField name="minSeverity" label="Lowest severity" options={NOTIFICATION_SEVERITIES.map((s) => ({ value: s, label: MIN_SEVERITY_TEXT[s] })).reverse()} />
        <SubmitProblemNotice problem={problem} />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Add channel
        </button>
      </FormSection>
    </FormProvider>
  );
}

/** One box per kind (react-hook-form gathers the checked ones into `kinds`). */
function KindChoices() {
  const { register, formState } = useFormContext<ChannelValues>();
  const error = formState.errors.kinds?.message ?? formState.errors.kinds?.root?.message;
  return (
    <fieldset className={`field${error ? ' field--invalid' : ''}`}>
      <legend>Kinds</legend>
      {CHOOSABLE_KINDS.map((k) => (
        <label key={k} className="choice">
          <input type="checkbox" value={k} {...register('kinds')} />
          <span>{KIND_TEXT[k]}</span>
        </label>
      ))}
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
