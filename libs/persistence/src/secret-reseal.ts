import type { EntityManager } from 'typeorm';
import { LEGACY_SECRET_VERSION, SecretBox } from './secret-box';
import { SecretsService, type ChannelSecretsOwner, type ConnectionSecretsOwner, type TaskSecretsOwner } from './secrets.service';

export interface ResealCount {
  tasks: number;
  channels: number;
  connections: number;
}

/**
 * Re-seals every stored credential: with `to` (a new master key) for a key rotation, and from
 * the legacy format (bound to the id only) to the endpoint-bound one. Runs inside the caller's
 * transaction, so either every row is re-sealed or none is.
 */
export async function resealSecrets(manager: EntityManager, from: SecretBox, to: SecretBox, options: { legacyOnly?: boolean } = {}): Promise<ResealCount> {
  const target = new SecretsService(to);
  const current = new SecretsService(from);
  const open = (sealed: Buffer, id: string, openCurrent: () => object): Record<string, string | undefined> =>
    sealed[0] === LEGACY_SECRET_VERSION ? from.openLegacy(sealed, id) : (openCurrent() as Record<string, string | undefined>);
  const count: ResealCount = { tasks: 0, channels: 0, connections: 0 };
  const tasks: (TaskSecretsOwner & { secrets: Buffer })[] = await manager.query('SELECT id, config, secrets FROM task WHERE secrets IS NOT NULL FOR UPDATE');
  for (const task of tasks) {
    if (options.legacyOnly && task.secrets[0] !== LEGACY_SECRET_VERSION) continue;
    const secrets = open(task.secrets, task.id, () => current.openTask(task));
    await manager.query('UPDATE task SET secrets = $2 WHERE id = $1', [task.id, target.sealTask(task, secrets)]);
    count.tasks++;
  }
  const channels: (ChannelSecretsOwner & { secrets: Buffer })[] = await manager.query(
    'SELECT id, config, secrets FROM notification_channel WHERE secrets IS NOT NULL FOR UPDATE',
  );
  for (const channel of channels) {
    if (options.legacyOnly && channel.secrets[0] !== LEGACY_SECRET_VERSION) continue;
    const secrets = open(channel.secrets, channel.id, () => current.openChannel(channel));
    await manager.query('UPDATE notification_channel SET secrets = $2 WHERE id = $1', [channel.id, target.sealChannel(channel, secrets)]);
    count.channels++;
  }
  // Saved connections came after the legacy format (and after the migration that re-seals it).
  const [{ exists }] = await manager.query(`SELECT to_regclass('saved_connection') IS NOT NULL AS exists`);
  if (exists && !options.legacyOnly) {
    const connections: (ConnectionSecretsOwner & { secrets: Buffer })[] = await manager.query(
      'SELECT id, type, config, secrets FROM saved_connection WHERE secrets IS NOT NULL FOR UPDATE',
    );
    for (const connection of connections) {
      await manager.query('UPDATE saved_connection SET secrets = $2 WHERE id = $1', [connection.id, target.sealConnection(connection, current.openConnection(connection))]);
      count.connections++;
    }
  }
  return count;
}

/** Whether any row still holds the legacy format (so the migration needs the master key). */
export async function hasLegacySecrets(manager: EntityManager): Promise<boolean> {
  const [row] = await manager.query(
    `SELECT (EXISTS (SELECT 1 FROM task WHERE get_byte(secrets, 0) = $1) OR EXISTS (SELECT 1 FROM notification_channel WHERE get_byte(secrets, 0) = $1)) AS found`,
    [LEGACY_SECRET_VERSION],
  );
  return row.found === true;
}
