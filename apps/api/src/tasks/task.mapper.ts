import type { TaskConfig, TaskView } from '@walbridge/contracts';
import type { TaskEntity, TaskSecrets } from '@walbridge/persistence';
import { lifecycleView } from './task-lifecycle.mapper';

export type { TaskSecrets };

/**
 * What is stored in clear: the configuration without credentials, plus which credentials are
 * set, so that listing tasks never needs to decrypt anything.
 */
export type StoredConfig = TaskConfig & { secretsSet: { source: boolean; destination: boolean; clientKey: boolean } };

export function splitSecrets(config: TaskConfig): { stored: StoredConfig; secrets: TaskSecrets } {
  const { password: sourcePassword, ...source } = config.source;
  const { password: destinationPassword, clientKey: destinationClientKey, ...destination } = config.destination;
  const secrets: TaskSecrets = { sourcePassword, destinationPassword, destinationClientKey };
  return {
    stored: {
      ...config,
      source,
      destination,
      secretsSet: { source: !!sourcePassword, destination: !!destinationPassword, clientKey: !!destinationClientKey },
    },
    secrets,
  };
}

export function toTaskView(task: TaskEntity): TaskView {
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
    },
    policy: { ...config.policy, slotName: task.slotName },
    slotName: task.slotName,
    confirmedLsn: task.confirmedLsn,
    delaySeconds: task.delaySeconds,
    lastError: task.lastError,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    ...lifecycleView(task),
  };
}
