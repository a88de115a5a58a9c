import type { TaskConfig, TaskSchedulerView, TaskView } from '@walbridge/contracts';
import type { TaskEntity, TaskSecrets } from '@walbridge/persistence';
import { lifecycleView } from './task-lifecycle.mapper';

export type { TaskSecrets };

/**
 * What is stored in clear: the configuration without credentials, plus which credentials are
 * set, so that listing tasks never needs to decrypt anything.
 */
export type StoredConfig = TaskConfig & { secretsSet: { source: boolean; destination: boolean; clientKey: boolean; registry?: boolean } };

export function splitSecrets(config: TaskConfig): { stored: StoredConfig; secrets: TaskSecrets } {
  const { password: sourcePassword, ...source } = config.source;
  const { password: destinationPassword, clientKey: destinationClientKey, schemaRegistry: registry, ...rest } = config.destination;
  const registryPassword = registry?.password;
  const destination = registry ? { ...rest, schemaRegistry: { url: registry.url, ...(registry.username ? { username: registry.username } : {}) } } : rest;
  const secrets: TaskSecrets = { sourcePassword, destinationPassword, destinationClientKey, ...(registryPassword ? { registryPassword } : {}) };
  return {
    stored: {
      ...config,
      source,
      destination,
      secretsSet: { source: !!sourcePassword, destination: !!destinationPassword, clientKey: !!destinationClientKey, registry: !!registryPassword },
    },
    secrets,
  };
}

/** `scheduler`: the holder of the task's lease (FleetService.placements), null when none holds it. */
export function toTaskView(task: TaskEntity, scheduler: TaskSchedulerView | null): TaskView {
  const { secretsSet, ...config } = task.config as unknown as StoredConfig;
  return {
    ...config,
    id: task.id,
    status: task.status,
    source: { ...config.source, passwordSet: secretsSet.source && task.secrets !== null },
    destination: {
      ...config.destination,
      passwordSet: secretsSet.destination && task.secrets !== null,
      clientKeySet: secretsSet.clientKey && task.secrets !== null,
      schemaRegistry: config.destination.schemaRegistry
        ? { url: config.destination.schemaRegistry.url, username: config.destination.schemaRegistry.username, passwordSet: !!secretsSet.registry && task.secrets !== null }
        : undefined,
    },
    policy: { ...config.policy, slotName: task.slotName },
    slotName: task.slotName,
    confirmedLsn: task.confirmedLsn,
    delaySeconds: task.delaySeconds,
    lastError: task.lastError,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    ...lifecycleView(task),
    scheduler,
  };
}
