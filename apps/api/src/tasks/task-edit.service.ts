import { Injectable } from '@nestjs/common';
import { TASK_STATUSES, type TaskConfig, type TaskStatus, type TaskView } from '@walbridge/contracts';
import { DomainError, applyMergePatch, assertAllowed, canonicalJson, defaultSlotName } from '@walbridge/domain';
import { NotificationChannelRepository, SecretBox, TaskLogRepository, TaskRepository, outdatesPrecheck, type TaskEntity } from '@walbridge/persistence';
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

/**
 * PATCH and DELETE of a task. Any field may change while the task is in CONFIGURATION (which
 * outdates its last precheck); credentials may change in any status and are used from the next
 * connection on; delete wipes the credentials.
 */
@Injectable()
export class TaskEditService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly logs: TaskLogRepository,
    private readonly secretBox: SecretBox,
    private readonly channels: NotificationChannelRepository,
  ) {}

  async update(id: string, patch: Record<string, unknown>): Promise<TaskView> {
    const task = await this.load(id);
    const oldSecrets: TaskSecrets = task.secrets ? this.secretBox.open(task.secrets, id) : {};
    const current = withoutFlags(task.config);
    const editable = {
      ...current,
      source: { ...(current.source as object), password: oldSecrets.sourcePassword },
      destination: { ...(current.destination as object), password: oldSecrets.destinationPassword, clientKey: oldSecrets.destinationClientKey },
    };
    const config = parseTaskConfig(applyMergePatch(editable, patch));
    await assertChannelsExist(this.channels, config, (current as unknown as TaskConfig).alarms?.channelIds ?? []);
    const slotName = config.policy.slotName ?? defaultSlotName(id);
    // The API shows the default slot name in policy.slotName; sending it back is not a choice.
    if (config.policy.slotName === defaultSlotName(id)) delete config.policy.slotName;
    const { stored, secrets } = splitSecrets(config);

    const fields = changedFields(current, withoutFlags(stored));
    if (slotName !== task.slotName && !fields.includes('policy.slotName')) fields.push('policy.slotName');
    const secretsChanged = canonicalJson(secrets) !== canonicalJson(oldSecrets);
    if (!fields.length && !secretsChanged) return toTaskView(task);

    const allowedIn = fields.length ? (['CONFIGURATION'] as TaskStatus[]) : LIVE_STATUSES;
    if (fields.length) assertAllowed('edit', task.status);
    const replaced = await this.tasks.replaceConfig(task, allowedIn, {
      name: config.name,
      config: stored as unknown as Record<string, unknown>,
      secrets: secretsChanged ? this.secretBox.seal({ ...secrets }, id) : task.secrets,
      slotName,
      publicationName: slotName,
    });
    if (!replaced) {
      const fresh = await this.load(id);
      if (fields.length) assertAllowed('edit', fresh.status);
      throw new DomainError('conflict', 'CONCURRENT_CHANGE', 'the task changed while it was being edited; reload it and try again');
    }
    if (fields.length) {
      const again = outdatesPrecheck(fields) ? '; run the precheck again before submitting' : '';
      await this.logs.append(id, 'info', `configuration changed: ${fields.join(', ')}${again}`);
    }
    if (secretsChanged) {
      const which = (['sourcePassword', 'destinationPassword', 'destinationClientKey'] as const).filter((k) => secrets[k] !== oldSecrets[k]);
      await this.logs.append(id, 'info', `credentials changed (${which.join(', ')}); used from the next connection on`);
    }
    return toTaskView((await this.tasks.findById(id))!);
  }

  private async load(id: string): Promise<TaskEntity> {
    const task = await this.tasks.findById(id);
    if (!task || task.status === 'DELETED') throw new DomainError('not-found', 'TASK_NOT_FOUND', `task ${id} not found`);
    return task;
  }
}
