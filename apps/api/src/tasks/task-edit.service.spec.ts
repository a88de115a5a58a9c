import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TaskConfig } from '@walbridge/contracts';
import { SecretBox, SecretsService, type NotificationChannelRepository, type TaskBackfillRepository } from '@walbridge/persistence';
import { TaskControlJob, PROTOCOL_VERSION } from '@walbridge/queue';
import type { PrecheckService } from '../precheck/precheck.service';
import { parseTaskConfig } from './task-config.validation';
import { fakeSavedConnections } from '../connections/testing/saved-connection-store.fake';
import { TaskCommand } from './task-command';
import { TaskConnectionRefs } from './task-connection-refs';
import { TaskEditService } from './task-edit.service';
import { TaskService } from './task.service';
import { fakeTaskStore, noFleet } from './testing/task-store.fake';

const input = {
  name: 'orders',
  source: { host: 'db.internal', port: 5432, database: 'shop', username: 'cdc', password: 'source-secret' },
  destination: { brokers: 'kafka:9092' },
  policy: { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'orders' } },
};

/** A task created through TaskService (credentials really sealed), then edited through TaskEditService. */
async function created() {
  const store = fakeTaskStore([]);
  const vault = new SecretsService(new SecretBox(randomBytes(32)));
  const command = new TaskCommand(store.tasks, store.queue);
  const channels = { findByIds: async () => [] } as unknown as NotificationChannelRepository;
  const backfills = { create: async () => ({ id: 'b1' }) } as unknown as TaskBackfillRepository;
  const refs = new TaskConnectionRefs(fakeSavedConnections(store.rows).repo, vault);
  const view = await new TaskService(store.tasks, store.logs, vault, command, {} as PrecheckService, channels, noFleet, refs).create(parseTaskConfig(input) as TaskConfig);
  store.logLines.length = 0;
  return { store, vault, id: view.id, edits: new TaskEditService(store.tasks, store.logs, vault, channels, command, backfills, noFleet, refs) };
}

describe('TaskEditService', () => {
  it('changes a field in CONFIGURATION and logs which one (never its value), no job', async () => {
    const { store, id, edits } = await created();
    expect(await edits.update(id, { destination: { brokers: 'kafka-2:9092' } })).toMatchObject({ destination: { brokers: 'kafka-2:9092', passwordSet: false } });
    expect(store.logLines.map((l) => l.message)).toEqual(['configuration changed: destination.brokers; run the precheck again before submitting']);
    expect(store.jobs).toEqual([]);
  });

  it('re-seals a changed password, keeps it out of the view and the log', async () => {
    const { store, vault, id, edits } = await created();
    const view = await edits.update(id, { source: { password: 'rotated' } });
    expect(view.source).toMatchObject({ passwordSet: true });
    expect(JSON.stringify(view)).not.toContain('rotated');
    expect(vault.openTask(store.rows.get(id)!).sourcePassword).toBe('rotated');
    expect(store.logLines.map((l) => l.message)).toEqual(['credentials changed (sourcePassword); used from the next connection on']);
  });

  it('refuses to send the stored password to another host, naming the field', async () => {
    const { store, id, edits } = await created();
    const error = await edits.update(id, { source: { host: 'elsewhere.example' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid' });
    expect(JSON.stringify(error)).toContain('source.password');
    expect(store.rows.get(id)!.config).toMatchObject({ source: { host: 'db.internal' } });
  });

  it('edits the tables of a streaming task: the request is recorded and an apply-objects job enqueued', async () => {
    const { store, id, edits } = await created();
    store.rows.get(id)!.status = 'INCREMENTAL';
    const tables = [{ schema: 'shop', table: 'orders' }, { schema: 'shop', table: 'items' }];
    expect(await edits.update(id, { policy: { tables } })).toMatchObject({ pendingOperation: 'applyObjects' });
    expect(store.jobs.map((j) => [j.name, j.data])).toEqual([[TaskControlJob.ApplyObjects, { taskId: id, requestedBy: 'system', v: PROTOCOL_VERSION }]]);
    expect(store.logLines.some((l) => l.message.startsWith('tables edited in INCREMENTAL: added shop.items'))).toBe(true);
  });

  it('refuses a source change while the task streams, with the status', async () => {
    const { store, id, edits } = await created();
    store.rows.get(id)!.status = 'INCREMENTAL';
    await expect(edits.update(id, { source: { database: 'other', password: 'x' } })).rejects.toMatchObject({ kind: 'conflict', code: 'OPERATION_NOT_ALLOWED' });
    expect(store.jobs).toEqual([]);
  });

  it('answers 409 CONCURRENT_CHANGE when the task was edited between the read and the write', async () => {
    const { store, id, edits } = await created();
    store.state.interfere = (row) => {
      store.state.interfere = undefined;
      row.config = { ...row.config, name: 'someone-else' } as typeof row.config;
    };
    await expect(edits.update(id, { name: 'mine' })).rejects.toMatchObject({ kind: 'conflict', code: 'CONCURRENT_CHANGE' });
  });
});
