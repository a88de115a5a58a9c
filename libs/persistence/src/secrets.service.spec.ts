import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';
import { SecretsService } from './secrets.service';

const vault = new SecretsService(new SecretBox(randomBytes(32)));
const config = {
  source: { host: 'db.internal', port: 5432, database: 'shop', username: 'cdc' },
  destination: { brokers: 'kafka:9092' },
  policy: { tables: [] },
};
const task = { id: 't1', config, secrets: vault.sealTask({ id: 't1', config }, { sourcePassword: 'source-secret', destinationPassword: 'kafka-secret' }) };

describe('SecretsService', () => {
  it('opens a task’s credentials where they were sealed, and an empty set when there are none', () => {
    expect(vault.openTask(task)).toEqual({ sourcePassword: 'source-secret', destinationPassword: 'kafka-secret' });
    expect(vault.openTask({ ...task, secrets: null })).toEqual({});
    expect(task.secrets.toString('latin1')).not.toContain('source-secret');
  });

  // What moves a task's credentials away from where they were given: each must make them unreadable.
  it.each([
    ['another task', { ...task, id: 't2' }],
    ['another source host', { ...task, config: { ...config, source: { ...config.source, host: 'evil.example' } } }],
    ['another source login', { ...task, config: { ...config, source: { ...config.source, username: 'postgres' } } }],
    ['other brokers', { ...task, config: { ...config, destination: { brokers: 'evil:9092' } } }],
  ])('refuses credentials copied onto %s', (_what, moved) => {
    expect(() => vault.openTask(moved)).toThrow();
  });

  it('binds the schema registry’s password to the registry’s url and login', () => {
    const registry = { url: 'https://registry.internal/apis/ccompat/v7', username: 'reg' };
    const withRegistry = { ...config, destination: { ...config.destination, schemaRegistry: registry } };
    const sealed = { id: 't1', config: withRegistry, secrets: vault.sealTask({ id: 't1', config: withRegistry }, { registryPassword: 'registry-secret' }) };
    expect(vault.openTask(sealed)).toEqual({ registryPassword: 'registry-secret' });
    for (const moved of [{ ...registry, url: 'https://evil.example/apis/ccompat/v7' }, { ...registry, username: 'admin' }]) {
      expect(() => vault.openTask({ ...sealed, config: { ...withRegistry, destination: { ...withRegistry.destination, schemaRegistry: moved } } })).toThrow();
    }
    // dropping the registry from the record does not hand its password to the brokers' binding
    expect(() => vault.openTask({ ...sealed, config })).toThrow();
  });

  it('still opens a registry task sealed before the registry joined the binding, and only such a one', () => {
    const registry = { url: 'https://registry.internal/apis/ccompat/v7', username: 'reg' };
    const withRegistry = { ...config, destination: { ...config.destination, schemaRegistry: registry } };
    // An earlier version sealed it bound to the task, the source and the brokers only.
    const legacy = { id: 't1', config: withRegistry, secrets: vault.sealTask({ id: 't1', config }, { registryPassword: 'registry-secret' }) };
    expect(vault.openTask(legacy)).toEqual({ registryPassword: 'registry-secret' });
    // Another task's or another source's copy still opens nothing.
    expect(() => vault.openTask({ ...legacy, id: 't2' })).toThrow();
    expect(() => vault.openTask({ ...legacy, config: { ...withRegistry, source: { ...withRegistry.source, host: 'evil.example' } } })).toThrow();
  });

  it('still opens after a change outside the endpoints (the tables, a host spelled in capitals)', () => {
    const same = { ...task, config: { ...config, source: { ...config.source, host: 'DB.internal' }, policy: { tables: [{ schema: 's', table: 't' }] } } };
    expect(vault.openTask(same).sourcePassword).toBe('source-secret');
  });

  it('keeps nothing for a channel without secrets, and binds a channel’s to its SMTP server', () => {
    const smtp = { host: 'mail.example', port: 587, security: 'starttls' as const, username: 'alerts', from: 'a@example', verifyCertificate: true };
    expect(vault.sealChannel({ id: 'c1', config: { url: 'https://hooks.example' } }, {})).toBeNull();
    const sealed = vault.sealChannel({ id: 'c1', config: { smtp } }, { smtpPassword: 'mail-secret' });
    expect(vault.openChannel({ id: 'c1', config: { smtp }, secrets: sealed })).toEqual({ smtpPassword: 'mail-secret' });
    expect(() => vault.openChannel({ id: 'c1', config: { smtp: { ...smtp, host: 'evil.example' } }, secrets: sealed })).toThrow();
  });

  it('carries a connection to a scheduler sealed, readable only with its own nonce', () => {
    const transit = vault.sealTransit({ host: 'db', password: 'in-transit' });
    expect(transit.sealed).not.toContain('in-transit');
    expect(Buffer.from(transit.sealed, 'base64').toString('latin1')).not.toContain('in-transit');
    expect(vault.openTransit(transit)).toEqual({ host: 'db', password: 'in-transit' });
    expect(() => vault.openTransit({ ...transit, nonce: vault.sealTransit({}).nonce })).toThrow();
  });
});
