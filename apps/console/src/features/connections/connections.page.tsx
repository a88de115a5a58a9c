import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { hasRole, type SavedConnectionView } from '@walbridge/contracts';
import { deleteSavedConnection, testSavedConnection } from '../../api/connections.api';
import { DataTable, type DataColumn, type RowAction } from '../../ui/data-table';
import { RelativeTime } from '../../ui/relative-time';
import { EmptyPanel, ErrorPanel, LoadingPanel } from '../../ui/status-panel';
import { useMe } from '../auth/use-me.query';
import { ConnectionForm } from './connection-form';
import { connectionEndpointText } from './saved-connection-text';
import { savedConnectionsKey, useSavedConnections } from './use-saved-connections.query';

const COLUMNS: DataColumn<SavedConnectionView>[] = [
  { id: 'name', header: 'Name', rowHeader: true, cell: (c) => c.name },
  { id: 'type', header: 'Kind', cell: (c) => (c.type === 'source' ? 'Source (PostgreSQL)' : 'Destination (Kafka)') },
  { id: 'endpoint', header: 'Connects to', className: 'mono', cell: (c) => connectionEndpointText(c) },
  {
    id: 'test',
    header: 'Last test',
    cell: (c) =>
      !c.lastTest ? (
        <span className="muted">Never tested</span>
      ) : (
        <span className={c.lastTest.ok ? 'test-result--passed' : 'test-result--failed'} title={c.lastTest.message}>
          {c.lastTest.ok ? 'Passed' : `Failed: ${c.lastTest.message}`} · <RelativeTime iso={c.lastTest.at} />
        </span>
      ),
  },
  {
    id: 'used',
    header: 'Used by',
    cell: (c) =>
      c.usedBy.length ? (
        <span>
          {c.usedBy.map((t, i) => (
            <span key={t.id}>
              {i > 0 && ', '}
              <Link to={`/tasks/${t.id}`}>{t.name}</Link>
            </span>
          ))}
        </span>
      ) : (
        <span className="muted">No task</span>
      ),
  },
];

/** Saved sources and destinations: a password is typed once, tasks pick the connection in the wizard. */
export function ConnectionsPage() {
  const me = useMe();
  const canEdit = !!me.data && hasRole(me.data.role, 'operator');
  const connections = useSavedConnections();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<SavedConnectionView | 'new' | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    document.title = 'Connections · Walbridge';
  }, []);
  const refresh = () => queryClient.invalidateQueries({ queryKey: savedConnectionsKey });
  const test = useMutation({
    mutationFn: (c: SavedConnectionView) => testSavedConnection(c.id),
    onSuccess: (r, c) => setNotice({ ok: r.ok, text: r.ok ? `${c.name}: connection succeeded (${r.message}).` : `${c.name}: connection failed: ${r.message}${r.suggestion ? ` ${r.suggestion}` : ''}` }),
    onError: (error, c) => setNotice({ ok: false, text: `${c.name}: the test could not run: ${error.message}` }),
    onSettled: () => refresh(),
  });
  const actions: RowAction<SavedConnectionView>[] = [
    { label: 'Test', ariaLabel: (c) => `Test ${c.name}`, run: (c) => test.mutateAsync(c).catch(() => undefined) },
    { label: 'Edit', ariaLabel: (c) => `Edit ${c.name}`, run: (c) => setEditing(c) },
    {
      label: 'Delete',
      ariaLabel: (c) => `Delete ${c.name}`,
      danger: true,
      confirm: (c) => ({
        title: `Delete connection ${c.name}?`,
        body: c.usedBy.length ? (
          <p>
            It is used by {c.usedBy.map((t) => `${t.name} (${t.status})`).join(', ')}: the server refuses to delete it until no task uses it.
          </p>
        ) : (
          <p>No task uses it. Its saved password is deleted with it.</p>
        ),
      }),
      run: async (c) => {
        try {
          await deleteSavedConnection(c.id);
          setNotice({ ok: true, text: `Connection ${c.name} deleted.` });
        } finally {
          await refresh();
        }
      },
    },
  ];

  return (
    <section className="page" aria-labelledby="connections-title">
      <header className="page__header">
        <div>
          <h1 id="connections-title">Connections</h1>
          <p className="muted">Saved source databases and Kafka clusters. Their passwords are sealed on the server; a task built from one never asks for them again.</p>
        </div>
        {canEdit && editing === null && (
          <button type="button" className="button button--primary" onClick={() => setEditing('new')}>
            New connection
          </button>
        )}
      </header>
      {notice && (
        <p className={`notice ${notice.ok ? 'notice--info' : 'notice--error'}`} role="status">
          {notice.text}
        </p>
      )}
      {editing !== null && (
        <section className="card">
          <ConnectionForm
            key={editing === 'new' ? 'new' : editing.id}
            editing={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(text) => {
              setEditing(null);
              setNotice({ ok: true, text });
              void refresh();
            }}
          />
        </section>
      )}
      <section className="card">
        {connections.isPending ? (
          <LoadingPanel>Loading connections…</LoadingPanel>
        ) : connections.error ? (
          <ErrorPanel title="Could not load the connections" error={connections.error} />
        ) : !connections.data.length ? (
          <EmptyPanel title="No saved connections yet." />
        ) : (
          <DataTable rows={connections.data} columns={COLUMNS} rowKey={(c) => c.id} label="Saved connections" cards actions={canEdit ? actions : []} />
        )}
      </section>
    </section>
  );
}
