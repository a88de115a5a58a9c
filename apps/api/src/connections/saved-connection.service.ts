import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  createSavedConnectionSchema,
  type ConnectionTestResult,
  type ConnectionUser,
  type SavedConnectionConfig,
  type SavedConnectionUpdate,
  type SavedConnectionView,
} from '@walbridge/contracts';
import { DomainError, applyMergePatch, canonicalJson } from '@walbridge/domain';
import { SavedConnectionRepository, SecretFormatError, SecretsService, type SavedConnectionEntity, type SavedConnectionSecrets } from '@walbridge/persistence';
import { ProbeJob } from '@walbridge/queue';
import { assertCredentialsFollowEndpoint } from '../common/credential-endpoint.rule';
import { invalidRequest, unstorable, zodProblems } from '../common/zod-body.pipe';
import { ProbeClient } from '../probe/probe-client.service';
import { TaskEditService } from '../tasks/task-edit.service';
import { connectionSettings, splitConnection, toConnectionView } from './saved-connection.mapper';

const names = (tasks: ConnectionUser[]) => tasks.map((t) => `${t.name} (${t.status})`).join(', ');

/**
 * Saved connections (`/connections`): a source or destination with its credentials sealed
 * (bound to the connection's id and endpoint), tested by a scheduler like a task's, and taken by
 * tasks as `source.connectionId` / `destination.connectionId`. An edit is applied to every task
 * that references the connection, through the task's own edit (so its rules and log hold).
 */
@Injectable()
export class SavedConnectionService {
  constructor(
    private readonly connections: SavedConnectionRepository,
    private readonly vault: SecretsService,
    private readonly probes: ProbeClient,
    private readonly taskEdits: TaskEditService,
  ) {}

  async list(): Promise<SavedConnectionView[]> {
    const all = await this.connections.list();
    const users = await this.connections.usersOf(all.map((c) => c.id));
    return all.map((c) => this.view(c, users.get(c.id) ?? []));
  }

  async get(id: string): Promise<SavedConnectionView> {
    const connection = await this.load(id);
    return this.view(connection, await this.usersOf(id));
  }

  async create(input: SavedConnectionConfig): Promise<SavedConnectionView> {
    await this.assertNameFree(input.name);
    const id = randomUUID();
    const { config, secrets } = splitConnection(input);
    const connection = await this.connections.insert({ id, type: input.type, name: input.name, config, secrets: this.vault.sealConnection({ id, type: input.type, config }, secrets) });
    return this.view(connection, []);
  }

  /**
   * JSON merge patch; the result is validated like a new connection. A password left out is
   * kept, but only for the endpoint it was given for. Settings of tasks past CONFIGURATION do not
   * change under them: such an edit is refused naming them (a new password reaches every task).
   */
  async update(id: string, patch: Record<string, unknown>): Promise<SavedConnectionUpdate> {
    const connection = await this.load(id);
    if ('type' in patch && patch.type !== connection.type) {
      throw invalidRequest([{ field: 'type', message: 'the type of a connection cannot change: create a new connection' }]);
    }
    const bad = unstorable(patch);
    if (bad.length) throw invalidRequest(bad);
    const old = this.vault.openConnection(connection);
    const editable = { type: connection.type, name: connection.name, connection: connectionSettings(connection, old) };
    const parsed = createSavedConnectionSchema.safeParse(applyMergePatch(editable, patch));
    if (!parsed.success) throw invalidRequest(zodProblems(parsed.error));
    if (parsed.data.name.toLowerCase() !== connection.name.toLowerCase()) await this.assertNameFree(parsed.data.name, id);
    const { config, secrets } = splitConnection(parsed.data);
    const given = (patch.connection ?? {}) as { password?: unknown; schemaRegistry?: { password?: unknown } | null };
    const registry = (c: Record<string, unknown>) => c.schemaRegistry as Record<string, unknown> | undefined;
    assertCredentialsFollowEndpoint([
      { kind: connection.type, field: 'connection.password', before: connection.config, after: config, stored: !!old.password, given: given.password !== undefined },
      {
        kind: 'schemaRegistry',
        field: 'connection.schemaRegistry.password',
        before: registry(connection.config),
        after: registry(config),
        stored: !!old.registryPassword,
        given: given.schemaRegistry?.password !== undefined,
      },
    ]);
    const settingsChanged = canonicalJson(config) !== canonicalJson(connection.config);
    const secretsChanged = canonicalJson(secrets) !== canonicalJson(old);
    const users = await this.usersOf(id);
    const running = users.filter((t) => t.status !== 'CONFIGURATION');
    if (settingsChanged && running.length) {
      throw new DomainError(
        'conflict',
        'CONNECTION_IN_USE',
        `the settings of ${connection.name} cannot change while tasks past CONFIGURATION use it: ${names(running)}; ` +
          'a new password can (used from their next connection on), or create another connection',
        [],
        { tasks: running },
      );
    }
    await this.connections.update(id, { name: parsed.data.name, config, secrets: this.vault.sealConnection({ id, type: connection.type, config }, secrets) });
    // Each task takes the connection again through its own edit: validation, binding, log line.
    const tasksUpdated = settingsChanged || secretsChanged ? users : [];
    for (const task of tasksUpdated) await this.taskEdits.update(task.id, { [connection.type]: { connectionId: id } });
    return { ...(await this.get(id)), tasksUpdated };
  }

  async delete(id: string): Promise<void> {
    const connection = await this.load(id);
    const users = await this.usersOf(id);
    if (users.length) {
      throw new DomainError('conflict', 'CONNECTION_IN_USE', `${connection.name} is used by ${names(users)}: edit or delete those tasks first`, [], { tasks: users });
    }
    await this.connections.delete(id);
  }

  /** Test Connection with the saved settings; the verdict is kept as the connection's last test. */
  async test(id: string): Promise<ConnectionTestResult> {
    const connection = await this.load(id);
    let secrets: SavedConnectionSecrets;
    try {
      secrets = this.vault.openConnection(connection);
    } catch (error) {
      if (!(error instanceof SecretFormatError)) throw error;
      // Nothing is sent anywhere: the credentials were sealed for another endpoint.
      return { target: connection.type, ok: false, problem: 'stored-credentials', message: error.message, suggestion: 'enter the password of the connection again', durationMs: 0 };
    }
    const settings = connectionSettings(connection, secrets);
    const result = await this.probes.request<ConnectionTestResult, ProbeJob.TestConnection>(ProbeJob.TestConnection, { target: connection.type, ...this.vault.sealTransit(settings) });
    await this.connections.recordTest(id, { ok: result.ok, ...(result.problem ? { problem: result.problem } : {}), message: result.message, at: new Date().toISOString() });
    return result;
  }

  private async load(id: string): Promise<SavedConnectionEntity> {
    const connection = await this.connections.findById(id);
    if (!connection) throw new DomainError('not-found', 'CONNECTION_NOT_FOUND', `connection ${id} not found`);
    return connection;
  }

  private async usersOf(id: string): Promise<ConnectionUser[]> {
    return (await this.connections.usersOf([id])).get(id) ?? [];
  }

  /** A row whose credentials no longer open (edited outside the API) shows them as not set. */
  private view(connection: SavedConnectionEntity, users: ConnectionUser[]): SavedConnectionView {
    let secrets: SavedConnectionSecrets = {};
    try {
      secrets = this.vault.openConnection(connection);
    } catch (error) {
      if (!(error instanceof SecretFormatError)) throw error;
    }
    return toConnectionView(connection, secrets, users);
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    if (await this.connections.nameTaken(name, exceptId)) throw invalidRequest([{ field: 'name', message: `a connection named ${name} exists already` }]);
  }
}
