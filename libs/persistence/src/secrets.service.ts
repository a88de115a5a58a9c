import { randomUUID } from 'node:crypto';
import { credentialEndpoint } from '@walbridge/domain';
import type { ChannelSecrets, StoredChannelConfig } from './entities/notification-channel.entity';
import type { SavedConnectionSecrets } from './entities/saved-connection.entity';
import { SecretBox } from './secret-box';

/** A task's credentials, kept only sealed in `task.secrets`, never in `config`. */
export interface TaskSecrets {
  sourcePassword?: string;
  destinationPassword?: string;
  destinationClientKey?: string;
  /** destination.schemaRegistry.password (format avro-registry). */
  registryPassword?: string;
}

/** A task's source and destination with their credentials put back (only ever in memory: probes, workers, edits). */
export function connectionsWithSecrets<S extends object, D extends { schemaRegistry?: object }>(
  config: { source: S; destination: D },
  secrets: TaskSecrets,
): { source: S & { password?: string }; destination: D & { password?: string; clientKey?: string } } {
  const { schemaRegistry } = config.destination;
  return {
    source: { ...config.source, password: secrets.sourcePassword },
    destination: {
      ...config.destination,
      password: secrets.destinationPassword,
      clientKey: secrets.destinationClientKey,
      ...(schemaRegistry ? { schemaRegistry: { ...schemaRegistry, password: secrets.registryPassword } } : {}),
    },
  };
}

/** What a task's credentials are bound to: its id and its endpoints (source, destination, schema registry). */
export interface TaskSecretsOwner {
  id: string;
  config: Record<string, unknown>;
}

export interface ChannelSecretsOwner {
  id: string;
  config: StoredChannelConfig;
}

/** What a saved connection's credentials are bound to: its id, its type and its endpoint (and registry). */
export interface ConnectionSecretsOwner {
  id: string;
  type: 'source' | 'destination';
  config: Record<string, unknown>;
}

/** A connection (with its password) on its way to a scheduler through Redis. */
export interface SealedTransit {
  sealed: string;
  nonce: string;
}

/**
 * The one place credentials are sealed and opened (AES-256-GCM, `SecretBox`). Each sealed value
 * is bound to its record id and to the endpoints its credentials were given for, so a row copied
 * onto another record, or re-pointed at another server by anything but the API's checked edit,
 * does not open.
 */
export class SecretsService {
  constructor(private readonly box: SecretBox) {}

  sealTask(owner: TaskSecretsOwner, secrets: TaskSecrets): Buffer {
    return this.box.seal({ ...secrets }, taskBinding(owner));
  }

  openTask(owner: TaskSecretsOwner & { secrets: Buffer | null }): TaskSecrets {
    if (!owner.secrets) return {};
    try {
      return this.box.open(owner.secrets, taskBinding(owner)) as TaskSecrets;
    } catch (error) {
      // Sealed before the registry joined the binding (an avro-registry task of an earlier
      // version): it opens with the binding it was sealed with, and the next edit seals it anew.
      // A row sealed with the registry bound never opens this way (its associated data differs).
      const legacy = taskBinding(owner, { withRegistry: false });
      if (legacy === taskBinding(owner)) throw error;
      return this.box.open(owner.secrets, legacy) as TaskSecrets;
    }
  }

  /** Null when there is nothing to keep. */
  sealChannel(owner: ChannelSecretsOwner, secrets: ChannelSecrets): Buffer | null {
    return Object.keys(secrets).some((k) => secrets[k as keyof ChannelSecrets] !== undefined) ? this.box.seal({ ...secrets }, channelBinding(owner)) : null;
  }

  openChannel(owner: ChannelSecretsOwner & { secrets: Buffer | null }): ChannelSecrets {
    return owner.secrets ? (this.box.open(owner.secrets, channelBinding(owner)) as ChannelSecrets) : {};
  }

  /** Null when there is nothing to keep. */
  sealConnection(owner: ConnectionSecretsOwner, secrets: SavedConnectionSecrets): Buffer | null {
    const kept = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined));
    return Object.keys(kept).length ? this.box.seal(kept, connectionBinding(owner)) : null;
  }

  openConnection(owner: ConnectionSecretsOwner & { secrets: Buffer | null }): SavedConnectionSecrets {
    return owner.secrets ? (this.box.open(owner.secrets, connectionBinding(owner)) as SavedConnectionSecrets) : {};
  }

  sealTransit(value: unknown): SealedTransit {
    const nonce = randomUUID();
    return { sealed: this.box.seal({ json: JSON.stringify(value) }, `transit:${nonce}`).toString('base64'), nonce };
  }

  openTransit<T>(transit: SealedTransit): T {
    return JSON.parse(this.box.open(Buffer.from(transit.sealed, 'base64'), `transit:${transit.nonce}`).json!) as T;
  }
}

export function taskBinding(owner: TaskSecretsOwner, options: { withRegistry: boolean } = { withRegistry: true }): string {
  const config = owner.config as { source?: Record<string, unknown>; destination?: Record<string, unknown> & { schemaRegistry?: Record<string, unknown> } };
  const base = `task:${owner.id}|source:${credentialEndpoint('source', config.source)}|destination:${credentialEndpoint('destination', config.destination)}`;
  // The registry's password (format avro-registry) is bound to its url and login too. Appended
  // only when there is a registry: the sealed secrets of every other task keep their binding.
  const registry = config.destination?.schemaRegistry;
  return registry && options.withRegistry ? `${base}|schemaRegistry:${credentialEndpoint('schemaRegistry', registry)}` : base;
}

export function connectionBinding(owner: ConnectionSecretsOwner): string {
  const base = `connection:${owner.id}|${owner.type}:${credentialEndpoint(owner.type, owner.config)}`;
  const registry = owner.type === 'destination' ? (owner.config.schemaRegistry as Record<string, unknown> | undefined) : undefined;
  return registry ? `${base}|schemaRegistry:${credentialEndpoint('schemaRegistry', registry)}` : base;
}

export function channelBinding(owner: ChannelSecretsOwner): string {
  return `channel:${owner.id}|smtp:${credentialEndpoint('smtp', owner.config.smtp as Record<string, unknown> | undefined)}`;
}
