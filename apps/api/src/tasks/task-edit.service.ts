import { Injectable } from '@nestjs/common';
import { TASK_STATUSES, type PolicyConfig, type TaskConfig, type TaskStatus, type TaskView } from '@walbridge/contracts';
import {
  DomainError,
  STREAMING_STATUSES,
  allowedOperations,
  applyMergePatch,
  assertAllowed,
  backfillsAddedTables,
  canonicalJson,
  defaultSlotName,
  editOperations,
  editScope,
  isAllowed,
  type TaskOperation,
} from '@walbridge/domain';
import { NotificationChannelRepository, SecretsService, TaskBackfillRepository, TaskLogRepository, connectionsWithSecrets, TaskRepository, outdatesPrecheck, type TaskEntity } from '@walbridge/persistence';
import { TaskControlJob } from '@walbridge/queue';
import { currentActor } from '../auth/request-context';
import { assertCredentialsFollowEndpoint } from '../common/credential-endpoint.rule';
import { FleetService } from '../fleet/fleet.service';
import { TaskCommand } from './task-command';
import { TaskConnectionRefs } from './task-connection-refs';
import { assertChannelsExist, parseTaskConfig } from './task-config.validation';
import { splitSecrets, toTaskView, type StoredConfig, type TaskSecrets } from './task.mapper';

const LIVE_STATUSES = TASK_STATUSES.filter((s) => s !== 'DELETED') as TaskStatus[];

function withoutFlags(stored: StoredConfig | Record<string, unknown>): Record<string, unknown> {
  const { secretsSet: _flags, ...config } = stored as StoredConfig;
  return config as unknown as Record<string, unknown>;
}

/** Paths of the fields that differ, for the task log (values never, they may be secret). */
function changedFields(before: unknown, after: unknown, path = ''): string[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(before) || !isObject(after)) return [path || '(all)'];
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => changedFields(a[k], b[k], path ? `${path}.${k}` : k));
}

/** What an edit of the table list does, for the task log. */
function describeTableEdit(before: PolicyConfig, after: PolicyConfig): string {
  const key = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;
  const old = new Map(before.tables.map((t) => [key(t), t]));
  const now = new Map(after.tables.map((t) => [key(t), t]));
  const added = [...now.keys()].filter((k) => !old.has(k));
  const removed = [...old.keys()].filter((k) => !now.has(k));
  const changed = [...now.keys()].filter((k) => old.has(k) && canonicalJson(old.get(k)) !== canonicalJson(now.get(k)));
  const parts = [
    added.length ? `added ${added.join(', ')}` : '',
    removed.length ? `removed ${removed.join(', ')}` : '',
    changed.length ? `changed the settings of ${changed.join(', ')}` : '',
  ].filter(Boolean);
  return parts.join('; ') || 'reordered the tables';
}

/**
 * PATCH and DELETE of a task. Any field may change while the task is in CONFIGURATION (which
 * outdates its last precheck); the tables of a table-level task may also change while it runs
 * or is paused (a scheduler's worker alters the publication; the API only records the request),
 * and its alarms, throttle, retry windows, description and tags while it runs, is paused or fails
 * (a streaming worker restarts to use them, through the same request);
 * credentials may change in any status and are used from the next connection on; delete wipes
 * the credentials.
 */
@Injectable()
export class TaskEditService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly vault: SecretsService,
    private readonly channels: NotificationChannelRepository,
    private readonly command: TaskCommand,
    private readonly backfills: TaskBackfillRepository,
    private readonly fleet: FleetService,
    private readonly refs: TaskConnectionRefs,
  ) {}

  async update(id: string, body: Record<string, unknown>): Promise<TaskView> {
    const task = await this.command.load(id);
    // A saved connection replaces the whole source or destination, with the password it holds.
    const { rest: patch, resolved } = await this.refs.resolve(body);
    const oldSecrets: TaskSecrets = this.vault.openTask(task);
    const current = withoutFlags(task.config);
    const editable = { ...current, ...connectionsWithSecrets(current as unknown as TaskConfig, oldSecrets) };
    const config = parseTaskConfig({ ...(applyMergePatch(editable, patch) as Record<string, unknown>), ...resolved });
    // A stored password goes only to the server it was given for (issue 14 item 1); a saved
    // connection's goes to the endpoint the connection holds it for.
    const fromConnection = Object.fromEntries(
      Object.entries(resolved).map(([target, settings]) => [target, { ...settings, password: settings.password ?? null, schemaRegistry: { password: null } }]),
    );
    const given = { ...patch, ...fromConnection } as { source?: { password?: unknown }; destination?: { password?: unknown; schemaRegistry?: { password?: unknown } | null } };
    assertCredentialsFollowEndpoint([
      { kind: 'source', field: 'source.password', before: current.source, after: config.source, stored: !!oldSecrets.sourcePassword, given: given.source?.password !== undefined },
      { kind: 'destination', field: 'destination.password', before: current.destination, after: config.destination, stored: !!oldSecrets.destinationPassword, given: given.destination?.password !== undefined },
      {
        kind: 'schemaRegistry',
        field: 'destination.schemaRegistry.password',
        before: (current.destination as TaskConfig['destination']).schemaRegistry,
        after: config.destination.schemaRegistry,
        stored: !!oldSecrets.registryPassword,
        given: given.destination?.schemaRegistry?.password !== undefined,
      },
    ]);
    await assertChannelsExist(this.channels, config, (current as unknown as TaskConfig).alarms?.channelIds ?? []);
    const slotName = config.policy.slotName ?? defaultSlotName(id);
    // The API shows the default slot name in policy.slotName; sending it back is not a choice.
    if (config.policy.slotName === defaultSlotName(id)) delete config.policy.slotName;
    const { stored, secrets } = splitSecrets(config);

    const fields = changedFields(current, withoutFlags(stored));
    if (slotName !== task.slotName && !fields.includes('policy.slotName')) fields.push('policy.slotName');
    // Same credentials on another endpoint are re-sealed too: the binding follows the endpoint.
    const rebound = canonicalJson(withoutFlags(stored).source) !== canonicalJson(current.source) || canonicalJson(withoutFlags(stored).destination) !== canonicalJson(current.destination);
    const secretsChanged = canonicalJson(secrets) !== canonicalJson(oldSecrets);
    if (!fields.length && !secretsChanged) return this.view(task);

    // Outside CONFIGURATION only the tables (editObjects) and the settings (editSettings) may change: PRODUCT.md §4.
    const scope = editScope(fields);
    const live = fields.length > 0 && task.status !== 'CONFIGURATION';
    const operations: TaskOperation[] = !fields.length ? [] : live ? editOperations(scope) : ['edit'];
    this.assertEditAllowed(task.status, operations, scope.other);
    if (live && scope.objects) this.assertObjectsEditable(task, config.policy);
    // A streaming worker restarts to use the edit (and a paused task's publication is altered):
    // the request a scheduler acts on. Settings of a paused or failed task wait for its next start.
    const applies = (status: TaskStatus) => live && (scope.objects || (scope.restartsWorker && STREAMING_STATUSES.includes(status)));
    const allowedIn = !fields.length
      ? LIVE_STATUSES
      : LIVE_STATUSES.filter((s) => operations.every((op) => isAllowed(op, s)) && applies(s) === applies(task.status));
    const replaced = await this.tasks.replaceConfig(task, allowedIn, {
      name: config.name,
      config: stored as unknown as Record<string, unknown>,
      secrets: secretsChanged || rebound ? this.vault.sealTask({ id, config: stored as unknown as Record<string, unknown> }, secrets) : task.secrets,
      slotName,
      publicationName: slotName,
      ...(applies(task.status) ? { requestedOperation: 'applyObjects' as const } : {}),
    });
    if (!replaced) {
      const fresh = await this.command.load(id);
      this.assertEditAllowed(fresh.status, operations, scope.other);
      throw new DomainError('conflict', 'CONCURRENT_CHANGE', 'the task changed while it was being edited; reload it and try again');
    }
    if (applies(task.status)) {
      if (scope.objects) await this.backfillAdded(id, current.policy as PolicyConfig, config.policy);
      await this.command.enqueue(TaskControlJob.ApplyObjects, { taskId: id, requestedBy: currentActor() });
    }
    if (live && scope.objects) {
      await this.logs.append(
        id,
        'info',
        `tables edited in ${task.status}: ${describeTableEdit(current.policy as PolicyConfig, config.policy)}; ` +
          (task.status === 'PAUSED'
            ? 'the publication is altered now, and the changes are delivered once the task is resumed'
            : 'the worker restarts with the new tables and alters the publication; an added table is captured from then on'),
      );
    }
    if (live && scope.settings) {
      const settings = fields.filter((f) => !f.startsWith('policy.tables'));
      const when = !scope.restartsWorker ? '' : applies(task.status) ? '; the worker restarts to use them' : '; used from the next start';
      await this.logs.append(id, 'info', `settings changed in ${task.status}: ${settings.join(', ')}${when}`);
    } else if (!live && fields.length) {
      const again = outdatesPrecheck(fields) ? '; run the precheck again before submitting' : '';
      await this.logs.append(id, 'info', `configuration changed: ${fields.join(', ')}${again}`);
    }
    if (secretsChanged) {
      const which = (['sourcePassword', 'destinationPassword', 'destinationClientKey'] as const).filter((k) => secrets[k] !== oldSecrets[k]);
      await this.logs.append(id, 'info', `credentials changed (${which.join(', ')}); used from the next connection on`);
    }
    return this.view((await this.tasks.findById(id))!);
  }

  private async view(task: TaskEntity): Promise<TaskView> {
    return toTaskView(task, (await this.fleet.placements())(task.id));
  }

  /** A live edit of fields only CONFIGURATION allows names them; otherwise the operation table's 409. */
  private assertEditAllowed(status: TaskStatus, operations: TaskOperation[], other: string[]): void {
    if (operations.includes('edit') && status !== 'CONFIGURATION' && other.length) {
      throw new DomainError(
        'conflict',
        'OPERATION_NOT_ALLOWED',
        `${other.join(', ')} can change only while the task is in CONFIGURATION (it is ${status}); ` +
          'a running or paused task may change its tables, alarms, throttle, retry windows, description, tags and credentials',
        [],
        { status, allowedOperations: allowedOperations(status) },
      );
    }
    for (const op of operations) assertAllowed(op, status);
  }

  /** Edit objects applies to table-level tasks with no other operation under way. */
  private assertObjectsEditable(task: TaskEntity, after: PolicyConfig): void {
    const before = (task.config as unknown as { policy: PolicyConfig }).policy;
    if (before.objectScope !== 'tables' || after.objectScope !== 'tables') {
      throw new DomainError('conflict', 'OBJECTS_NOT_EDITABLE', `the tables of a database-level task cannot change while it is ${task.status}`, [], {
        status: task.status,
      });
    }
    if (task.requestedOperation === 'reset' || task.requestedOperation === 'dropSlot' || task.requestedOperation === 'stop' || task.requestedOperation === 'forceStop') {
      throw new DomainError('conflict', 'OPERATION_IN_PROGRESS', `a ${task.requestedOperation} of this task is in progress; try again when it has finished`, [], {
        status: task.status,
      });
    }
  }

  /**
   * Tables added to a running or paused task get their existing rows (policy.backfillAddedTables,
   * on by default for full+incremental tasks). Written after the edit, which holds the task as
   * applyObjects: schedulers hand backfills only to a worker that streams the edited tables.
   */
  private async backfillAdded(id: string, before: PolicyConfig, after: PolicyConfig): Promise<void> {
    if (!backfillsAddedTables(after)) return;
    const had = new Set(before.tables.map((t) => `${t.schema}.${t.table}`));
    const added = after.tables.filter((t) => !had.has(`${t.schema}.${t.table}`)).map((t) => ({ schema: t.schema, table: t.table }));
    if (!added.length) return;
    const backfill = await this.backfills.create(id, 'manual', { allTables: false, tables: added, requestedBy: currentActor() });
    await this.logs.append(id, 'info', `backfill ${backfill.id} of the added table(s) ${added.map((t) => `${t.schema}.${t.table}`).join(', ')}: their existing rows are read too`);
  }
}
