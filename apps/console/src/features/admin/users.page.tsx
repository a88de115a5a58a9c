import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { FormProvider, useForm } from 'react-hook-form';
import { createUserSchema, passwordSchema, ROLES, type Role, type UserView } from '@walbridge/contracts';
import { z } from 'zod';
import { createUser, deleteUser, updateUser } from '../../api/users.api';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { SelectField, TextField, SubmitProblemNotice } from '../../ui/form-fields';
import { DataTable, type DataColumn, type RowAction } from '../../ui/data-table';
import { FormSection } from '../../ui/form-section';
import { EMPTY_VALUE, formatDateTime } from '../../ui/format';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { usersKey, useUsers } from './use-admin.query';
import { useMe } from '../auth/use-me.query';
import { zodFormResolver, useApiSubmit } from '../../ui/zod-form';

const ROLE_HINT: Record<Role, string> = {
  viewer: 'reads tasks and their logs',
  operator: 'also creates and operates tasks',
  admin: 'also manages users, API tokens and reads the audit log',
};


/** Users and their roles (admins only; the API refuses everyone else). */
export function UsersPage() {
  const users = useUsers();
  useEffect(() => {
    document.title = 'Users · Walbridge';
  }, []);

  return (
    <section className="page" aria-labelledby="users-title">
      <header className="page__header">
        <div>
          <h1 id="users-title">Users</h1>
          <p className="muted">Who may sign in, and what each role may do: {ROLES.map((r) => `${r} ${ROLE_HINT[r]}`).join('; ')}.</p>
        </div>
      </header>
      <NewUserForm />
      {users.isPending ? (
        <LoadingPanel>Loading users…</LoadingPanel>
      ) : users.error ? (
        <ErrorPanel title="Could not load the users" error={users.error} />
      ) : !users.data.length ? (
        <EmptyPanel title="No users." />
      ) : (
        <UserTable users={users.data} />
      )}
    </section>
  );
}

type NewUserValues = { username: string; password: string; role: Role };

function NewUserForm() {
  const queryClient = useQueryClient();
  const form = useForm<NewUserValues>({ defaultValues: { username: '', password: '', role: 'viewer' }, resolver: zodFormResolver((v) => v, createUserSchema) });
  const { run, problem } = useApiSubmit(form, (p) => ['username', 'password', 'role'].includes(p));
  const [created, setCreated] = useState<string | null>(null);
  const submit = run(async (values) => {
    const user = await createUser(createUserSchema.parse(values));
    setCreated(user.username);
    form.reset({ username: '', password: '', role: values.role });
    await queryClient.invalidateQueries({ queryKey: usersKey });
  });
  return (
    <FormProvider {...form}>
      <FormSection title="Add a user" onSubmit={submit}>
        <div className="field-row">
          <TextField name="username" label="User name" autoComplete="off" spellCheck={false} hint="3–64: letters, digits, . _ @ -" />
          <TextField name="password" label="Initial password" type="password" autoComplete="new-password" hint="At least 8 characters." />
          <SelectField name="role" label="Role" options={ROLES.map((r) => ({ value: r, label: r }))} />
        </div>
        <SubmitProblemNotice problem={problem} />
        {created && (
          <p className="notice notice--info" role="status">
            User {created} can sign in now.
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={form.formState.isSubmitting}>
          Add user
        </button>
      </FormSection>
    </FormProvider>
  );
}

function UserTable({ users }: { users: UserView[] }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [resetting, setResetting] = useState<UserView | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersKey });
  const role = useMutation({ mutationFn: ({ id, next }: { id: string; next: Role }) => updateUser(id, { role: next }), onSettled: refresh });
  const isMe = (u: UserView) => u.id === me.data?.id;

  const columns: DataColumn<UserView>[] = [
    {
      id: 'user',
      header: 'User',
      rowHeader: true,
      cell: (u) => (
        <>
          {u.username}
          {isMe(u) && <span className="muted"> (you)</span>}
        </>
      ),
    },
    {
      id: 'role',
      header: 'Role',
      cell: (u) => (
        <select aria-label={`Role of ${u.username}`} value={u.role} disabled={role.isPending || isMe(u)} onChange={(e) => role.mutate({ id: u.id, next: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      ),
    },
    { id: 'lastLogin', header: 'Last sign-in', cell: (u) => (u.lastLoginAt ? formatDateTime(u.lastLoginAt) : EMPTY_VALUE) },
    { id: 'created', header: 'Created', cell: (u) => formatDateTime(u.createdAt) },
  ];
  const actions: RowAction<UserView>[] = [
    { label: 'Set password', run: (u) => setResetting(u) },
    {
      label: 'Delete',
      danger: true,
      shown: (u) => !isMe(u),
      confirm: (u) => ({ title: `Delete user ${u.username}?`, body: <p>They are signed out at once, and their API tokens stop working.</p> }),
      run: async (u) => {
        try {
          await deleteUser(u.id);
        } finally {
          await refresh();
        }
      },
    },
  ];

  return (
    <>
      {role.error && <ErrorPanel title="Could not change the role" error={role.error} />}
      <DataTable rows={users} columns={columns} rowKey={(u) => u.id} label="Users" actions={actions} />
      {resetting && <SetPasswordDialog user={resetting} onDone={() => setResetting(null)} />}
    </>
  );
}

const newPasswordSchema = z.object({ password: passwordSchema });

function SetPasswordDialog({ user, onDone }: { user: UserView; onDone: () => void }) {
  const form = useForm<{ password: string }>({ defaultValues: { password: '' }, resolver: zodFormResolver((v) => v, newPasswordSchema) });
  const { run, problem } = useApiSubmit(form, (p) => p === 'password');
  const submit = run(async ({ password }) => {
    await updateUser(user.id, { password });
    onDone();
  });
  return (
    <ConfirmDialog open title={`New password for ${user.username}`} confirmLabel="Set password" busy={form.formState.isSubmitting} onConfirm={() => void submit()} onCancel={onDone}>
      <FormProvider {...form}>
        <form onSubmit={submit} noValidate>
          <TextField name="password" label="New password" type="password" autoComplete="new-password" hint="At least 8 characters. Their other sessions end." />
          <SubmitProblemNotice problem={problem} />
        </form>
      </FormProvider>
    </ConfirmDialog>
  );
}
