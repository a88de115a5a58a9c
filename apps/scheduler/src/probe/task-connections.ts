import type { DestinationConfig, SourceConfig, TaskConfig } from '@walbridge/contracts';
import type { SecretsService, TaskEntity } from '@walbridge/persistence';

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
    source: { ...config.source, password: secrets.sourcePassword },
    destination: { ...config.destination, password: secrets.destinationPassword, clientKey: secrets.destinationClientKey },
    secrets: [secrets.sourcePassword, secrets.destinationPassword, secrets.destinationClientKey].filter((s): s is string => !!s),
  };
}
