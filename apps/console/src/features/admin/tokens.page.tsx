import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { createTokenSchema, type CreatedTokenView, type TokenView } from '@walbridge/contracts';
import { createToken, revokeToken } from '../../api/tokens.api';
import { TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { DataTable, type DataColumn, type RowAction } from '../../ui/data-table';
import { FormSection } from '../../ui/form-section';
import { EMPTY_VALUE, formatDateTime } from '../../ui/format';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useApiSubmit, withoutBlanks, zodFormResolver } from '../../ui/zod-form';
import { tokensKey, useTokens, useUsers } from './use-admin.query';


/** API tokens for scripts and monitoring (admins only). */
export function TokensPage() {
  const tokens = useTokens();
  const [created, setCreated] = useState<CreatedTokenView | null>(null);
  useEffect(() => {
    document.title = 'API tokens · Walbridge';
  }, []);

  return (
    <section className="page" aria-labelledby="tokens-title">
      <header className="page__header">
        <div>
          <h1 id="tokens-title">API tokens</h1>
          <p className="muted">
            For scripts and monitoring: send <code>Authorization: Bearer &lt;token&gt;</code>. A token acts with its user’s role and is shown once.
          </p>
        </div>
      </header>
      <NewTokenForm onCreated={setCreated} />
      {created && (
        <div className="notice notice--info" role="status">
          <p>
            Token <strong>{created.name}</strong> for {created.username}: copy it now, it is not shown again.
          </p>
          <pre>
            <code aria-label="The new token">{created.token}</code>
          </pre>
          <button type="button" className="button button--small" onClick={() => void navigator.clipboard?.writeText(created.token)}>
            Copy
          </button>
        </div>
      )}
      {tokens.isPending ? (
        <LoadingPanel>Loading tokens…</LoadingPanel>
      ) : tokens.error ? (
        <ErrorPanel title="Could not load the tokens" error={tokens.error} />
      ) : !tokens.data.length ? (
        <EmptyPanel title="No API tokens yet." />
      ) : (
        <TokenTable tokens={tokens.data} onRevoked={(id) => setCreated((c) => (c?.id === id ? null : c))} />
      )}
    </section>
  );
}

type NewTokenValues = { name: string; username: string; expiresInDays: number | string };

function NewTokenForm({ onCreated }: { onCreated: (token: CreatedTokenView) => void }) {
  const queryClient = useQueryClient();
  const toInput = (v: NewTokenValues) =>
    withoutBlanks({ name: v.name, username: v.username, expiresInDays: v.expiresInDays === '' ? undefined : Number(v.expiresInDays) });
  const form = useForm<NewTokenValues>({ defaultValues: { name: '', username: '', expiresInDays: '' }, resolver: zodFormResolver(toInput, createTokenSchema) });
  const { run, problem } = useApiSubmit(form, (p) => ['name', 'username', 'expiresInDays'].includes(p));
  // The pick list of who a token may act as; a name typed by hand is still checked by the API.
  const users = useUsers();
  const userSuggestions = (users.data ?? []).map((u) => ({ value: u.username, label: u.role }));
  const submit = run(async (values) => {
    onCreated(await createToken(createTokenSchema.parse(toInput(values))));
    form.reset();
    await queryClient.invalidateQueries({ queryKey: tokensKey });
  });
  return (
    <FormProvider {...form}>
      <FormSection title="Create a token" onSubmit={submit}>
        <div className="field-row">
          <TextField name="name" label="Token name" autoComplete="off" hint="What it is for, e.g. grafana." />
          <TextField name="username" label="Acts as user" autoComplete="off" spellCheck={false} hint="Pick a user or leave empty for yourself." suggestions={userSuggestions} />
          <TextField name="expiresInDays" label="Expires after (days)" type="number" min={1} max={3650} asNumber hint="Empty: never." className="field--number" />
        </div>
        <SubmitProblemNotice problem={problem} />
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Create token
        </button>
      </FormSection>
    </FormProvider>
  );
}

const TOKEN_COLUMNS: DataColumn<TokenView>[] = [
  { id: 'name', header: 'Name', rowHeader: true, cell: (t) => t.name },
  {
    id: 'user',
    header: 'User (role)',
    cell: (t) => (
      <>
        {t.username} <span className="muted">({t.role})</span>
      </>
    ),
  },
  { id: 'prefix', header: 'Starts with', className: 'mono', cell: (t) => `${t.prefix}…` },
  { id: 'lastUsed', header: 'Last used', cell: (t) => (t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'never') },
  { id: 'expires', header: 'Expires', cell: (t) => (t.expiresAt ? formatDateTime(t.expiresAt) : EMPTY_VALUE) },
  { id: 'created', header: 'Created', cell: (t) => formatDateTime(t.createdAt) },
];

function TokenTable({ tokens, onRevoked }: { tokens: TokenView[]; onRevoked: (id: string) => void }) {
  const queryClient = useQueryClient();
  const revoke: RowAction<TokenView> = {
    label: 'Revoke',
    danger: true,
    confirm: (t) => ({ title: `Revoke token ${t.name}?`, body: <p>Whatever uses it is refused from now on.</p> }),
    run: async (t) => {
      try {
        await revokeToken(t.id);
        onRevoked(t.id);
      } finally {
        await queryClient.invalidateQueries({ queryKey: tokensKey });
      }
    },
  };
  return <DataTable rows={tokens} columns={TOKEN_COLUMNS} rowKey={(t) => t.id} label="API tokens" actions={[revoke]} />;
}
