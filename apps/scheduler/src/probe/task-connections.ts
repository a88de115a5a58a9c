import type { DestinationConfig, SourceConfig, TaskConfig } from '@walbridge/contracts';
import { connectionsWithSecrets, type SecretsService, type TaskEntity } from '@walbridge/persistence';

export interface TaskConnections {
  source: SourceConfig;
  destination: DestinationConfig;
  /** Every credential in clear, to scrub them from any text that leaves the probe. */
  secrets: string[];
}

/** A task's saved connections with their credentials opened (they only live in memory here). */
export function taskConnections(task: TaskEntity, vault: SecretsService): TaskConnections {
  const config = task.config as unknown as TaskConfig;
  const secrets = vault.openTask(task);
  return {
    ...connectionsWithSecrets(config, secrets),
    secrets: [secrets.sourcePassword, secrets.destinationPassword, secrets.destinationClientKey, secrets.registryPassword].filter((s): s is string => !!s),
  };
}
