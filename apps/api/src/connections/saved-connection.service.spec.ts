import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSavedConnectionSchema, type ConnectionTestResult, type CreateSavedConnectionInput } from '@walbridge/contracts';
import { SecretBox, SecretsService, type NotificationChannelRepository, type TaskBackfillRepository } from '@walbridge/persistence';
import type { PrecheckService } from '../precheck/precheck.service';
import type { ProbeClient } from '../probe/probe-client.service';
import { TaskCommand } from '../tasks/task-command';
import { TaskConnectionRefs } from '../tasks/task-connection-refs';
import { TaskEditService } from '../tasks/task-edit.service';
import { TaskService } from '../tasks/task.service';
import { fakeTaskStore, noFleet } from '../tasks/testing/task-store.fake';
import { SavedConnectionService } from './saved-connection.service';
import { fakeSavedConnections } from './testing/saved-connection-store.fake';

const source: CreateSavedConnectionInput = { type: 'source', name: 'shop db', connection: { host: 'db.internal', port: 5432, database: 'shop', username: 'cdc', password: 'typed-once' } };
const destination: CreateSavedConnectionInput = { type: 'destination', name: 'kafka', connection: { brokers: 'kafka:9092' } };
const policy = { tables: [{ schema: 'shop', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'orders' } };

/** The services wired on fakes: tasks and connections in memory, credentials really sealed, a probe that answers ok. */
function setup() {
  const store = fakeTaskStore([]);
  const vault = new SecretsService(new SecretBox(randomBytes(32)));
  const saved = fakeSavedConnections(store.rows);
  const refs = new TaskConnectionRefs(saved.repo, vault);
  const command = new TaskCommand(store.tasks, store.queue);
  const channels = { findByIds: async () => [] } as unknown as NotificationChannelRepository;
  const backfills = {} as TaskBackfillRepository;
  const tasks = new TaskService(store.tasks, store.logs, vault, command, {} as PrecheckService, channels, noFleet, refs);
  const edits = new TaskEditService(store.tasks, store.logs, vault, channels, command, backfills, noFleet, refs);
  const probed: unknown[] = [];
  const probes = {
    request: async (_name: string, payload: { target: 'source'; sealed: string; nonce: string }) => {
      probed.push(vault.openTransit(payload));
      return { target: payload.target, ok: false, problem: 'bad-password', message: 'password authentication failed', durationMs: 3 } satisfies ConnectionTestResult;
    },
  } as unknown as ProbeClient;
  const connections = new SavedConnectionService(saved.repo, vault, probes, edits);
  const create = (input: CreateSavedConnectionInput) => connections.create(createSavedConnectionSchema.parse(input));
  return { store, vault, saved, tasks, edits, connections, create, probed };
}

describe('SavedConnectionService', () => {
  it('seals the password bound to the connection, shows only passwordSet', async () => {
    const { saved, vault, create } = setup();
    const view = await create(source);
    expect(view.connection).toMatchObject({ host: 'db.internal', passwordSet: true });
    expect(JSON.stringify(view)).not.toContain('typed-once');
    const row = saved.rows.get(view.id)!;
    expect(JSON.stringify(row.config)).not.toContain('typed-once');
    expect(vault.openConnection(row).password).toBe('typed-once');
    // Re-pointed behind the API's back, the sealed password does not open.
    expect(() => vault.openConnection({ ...row, config: { ...row.config, host: 'evil.example' } })).toThrow();
  });

  it('builds a task from saved connections: the task holds the settings and the password, sealed for itself', async () => {
    const { store, vault, tasks, create } = setup();
    const [src, dst] = [await create(source), await create(destination)];
    const task = await tasks.create({ name: 'orders', source: { connectionId: src.id }, destination: { connectionId: dst.id }, policy });
    expect(task.source).toMatchObject({ host: 'db.internal', connectionId: src.id, passwordSet: true });
    expect(task.destination).toMatchObject({ brokers: 'kafka:9092', connectionId: dst.id });
    expect(vault.openTask(store.rows.get(task.id)!).sourcePassword).toBe('typed-once');
  });

  it('refuses settings next to a reference, and a reference of the wrong type, naming the field', async () => {
    const { tasks, create } = setup();
    const src = await create(source);
    await expect(tasks.create({ name: 'orders', source: { connectionId: src.id, host: 'other' }, destination: { brokers: 'k:9092' }, policy })).rejects.toMatchObject({
      kind: 'invalid',
      details: [{ field: 'source.host' }],
    });
    await expect(tasks.create({ name: 'orders', source: { host: 'db', port: 5432, database: 'd', username: 'u' }, destination: { connectionId: src.id }, policy })).rejects.toMatchObject({
      kind: 'invalid',
      details: [{ field: 'destination.connectionId' }],
    });
  });

  it('refuses a new host without the password again, naming connection.password', async () => {
    const { connections, create } = setup();
    const src = await create(source);
    await expect(connections.update(src.id, { connection: { host: 'elsewhere.example' } })).rejects.toMatchObject({
      code: 'CREDENTIAL_REQUIRED',
      details: [{ field: 'connection.password' }],
    });
    expect((await connections.update(src.id, { connection: { host: 'elsewhere.example', password: 'again' } })).connection).toMatchObject({ host: 'elsewhere.example' });
  });

  it('applies an edit to the tasks in CONFIGURATION that use it; a running one takes a new password but not new settings', async () => {
    const { store, vault, tasks, connections, create } = setup();
    const src = await create(source);
    const task = await tasks.create({ name: 'orders', source: { connectionId: src.id }, destination: { brokers: 'kafka:9092' }, policy });
    const edited = await connections.update(src.id, { connection: { port: 6432, password: 'typed-once' } });
    expect(edited.tasksUpdated.map((t) => t.id)).toEqual([task.id]);
    expect(store.rows.get(task.id)!.config).toMatchObject({ source: { port: 6432, connectionId: src.id } });

    store.rows.get(task.id)!.status = 'INCREMENTAL';
    await expect(connections.update(src.id, { connection: { port: 7432, password: 'typed-once' } })).rejects.toMatchObject({ code: 'CONNECTION_IN_USE', extra: { tasks: [{ id: task.id, status: 'INCREMENTAL' }] } });
    await connections.update(src.id, { connection: { password: 'rotated' } });
    expect(vault.openTask(store.rows.get(task.id)!).sourcePassword).toBe('rotated');
  });

  it('a task edited by hand no longer follows the connection', async () => {
    const { store, tasks, edits, connections, create } = setup();
    const src = await create(source);
    const task = await tasks.create({ name: 'orders', source: { connectionId: src.id }, destination: { brokers: 'kafka:9092' }, policy });
    await edits.update(task.id, { source: { database: 'shop2', password: 'typed-once' } });
    expect((store.rows.get(task.id)!.config as { source: object }).source).not.toHaveProperty('connectionId');
    expect((await connections.get(src.id)).usedBy).toEqual([]);
  });

  it('a new password typed on a running task keeps its reference', async () => {
    const { store, vault, tasks, edits, create } = setup();
    const src = await create(source);
    const task = await tasks.create({ name: 'orders', source: { connectionId: src.id }, destination: { brokers: 'kafka:9092' }, policy });
    store.rows.get(task.id)!.status = 'INCREMENTAL';
    await edits.update(task.id, { source: { password: 'typed-on-the-task' } });
    expect(store.rows.get(task.id)!.config).toMatchObject({ source: { connectionId: src.id } });
    expect(vault.openTask(store.rows.get(task.id)!).sourcePassword).toBe('typed-on-the-task');
  });

  it('refuses to delete a connection in use, naming the tasks; deletes it once unused', async () => {
    const { store, tasks, connections, create } = setup();
    const src = await create(source);
    const task = await tasks.create({ name: 'orders', source: { connectionId: src.id }, destination: { brokers: 'kafka:9092' }, policy });
    const error = await connections.delete(src.id).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'conflict', code: 'CONNECTION_IN_USE' });
    expect((error as Error).message).toContain('orders (CONFIGURATION)');
    store.rows.get(task.id)!.status = 'DELETED';
    await connections.delete(src.id);
    await expect(connections.get(src.id)).rejects.toMatchObject({ code: 'CONNECTION_NOT_FOUND' });
  });

  it('tests with the saved password and keeps the verdict as the last test', async () => {
    const { connections, create, probed } = setup();
    const src = await create(source);
    expect(await connections.test(src.id)).toMatchObject({ ok: false, problem: 'bad-password' });
    expect(probed).toEqual([expect.objectContaining({ host: 'db.internal', password: 'typed-once' })]);
    expect((await connections.get(src.id)).lastTest).toMatchObject({ ok: false, problem: 'bad-password', message: 'password authentication failed' });
  });
});
