import type { ConnectionUser, SavedConnectionConfig, SavedConnectionView } from '@walbridge/contracts';
import type { SavedConnectionEntity, SavedConnectionSecrets } from '@walbridge/persistence';

type Settings = Record<string, unknown> & { schemaRegistry?: Record<string, unknown> };

/** A validated connection split into what is stored in clear and what is sealed. */
export function splitConnection(input: SavedConnectionConfig): { config: Record<string, unknown>; secrets: SavedConnectionSecrets } {
  // A saved connection references nothing itself.
  const { connectionId: _ref, password, ...settings } = input.connection as Settings & { password?: string; connectionId?: string };
  if (input.type === 'source') return { config: settings, secrets: { password } };
  const { clientKey, schemaRegistry, ...rest } = settings as Settings & { clientKey?: string };
  const { password: registryPassword, ...registry } = (schemaRegistry ?? {}) as { password?: string };
  return {
    config: schemaRegistry ? { ...rest, schemaRegistry: registry } : rest,
    secrets: { password, clientKey: clientKey as string | undefined, registryPassword },
  };
}

/** The settings with their credentials put back (in memory only: edits, tests, tasks taking them). */
export function connectionSettings(connection: Pick<SavedConnectionEntity, 'type' | 'config'>, secrets: SavedConnectionSecrets): Settings {
  const config = connection.config as Settings;
  const password = secrets.password !== undefined ? { password: secrets.password } : {};
  if (connection.type === 'source') return { ...config, ...password };
  return {
    ...config,
    ...password,
    ...(secrets.clientKey !== undefined ? { clientKey: secrets.clientKey } : {}),
    ...(config.schemaRegistry
      ? { schemaRegistry: { ...config.schemaRegistry, ...(secrets.registryPassword !== undefined ? { password: secrets.registryPassword } : {}) } }
      : {}),
  };
}

export function toConnectionView(connection: SavedConnectionEntity, secrets: SavedConnectionSecrets, usedBy: ConnectionUser[]): SavedConnectionView {
  const config = connection.config as Settings;
  const shown: SavedConnectionView['connection'] =
    connection.type === 'source'
      ? { ...config, passwordSet: !!secrets.password }
      : {
          ...config,
          passwordSet: !!secrets.password,
          clientKeySet: !!secrets.clientKey,
          ...(config.schemaRegistry ? { schemaRegistry: { ...config.schemaRegistry, passwordSet: !!secrets.registryPassword } } : {}),
        };
  return {
    id: connection.id,
    name: connection.name,
    type: connection.type,
    connection: shown,
    lastTest: connection.lastTest,
    usedBy,
    createdAt: connection.createdAt.toISOString(),
    updatedAt: connection.updatedAt.toISOString(),
  };
}
