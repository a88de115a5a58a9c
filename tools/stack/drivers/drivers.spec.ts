import { describe, expect, it } from 'vitest';
import { kafkaBrokerConfig, kafkaProperties, STACK_BROKER_PROPERTIES } from './kafka.mjs';
import { pgConfigText, pgHbaText, postgresClusterConfig, STACK_SETTINGS } from './postgres.mjs';

// What the servers are told: the shared stack's and a test's own are configured by the same code.

const settingsOf = (text: string) =>
  Object.fromEntries(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' = ') as [string, string]));

describe('postgres driver configuration', () => {
  const base = postgresClusterConfig({ dir: '/tmp/wbt-x', port: 25432 });

  it.each([
    ['the stack (no settings given)', {}, { wal_level: 'logical', max_replication_slots: '40', max_connections: '300', ssl: undefined }],
    ['a test cluster with few slots', { settings: { wal_level: 'replica', max_replication_slots: '2' } }, { wal_level: 'replica', max_replication_slots: '2', max_connections: undefined }],
    ['a TLS cluster', { ssl: { certFile: '/c', keyFile: '/k' } }, { ssl: 'on', ssl_cert_file: "'server.crt'", ssl_key_file: "'server.key'" }],
    ['two listen addresses', { listenAddresses: ['127.0.0.1', '127.0.0.2'] }, { listen_addresses: "'127.0.0.1,127.0.0.2'" }],
  ])('%s', (_, options, expected) => {
    const settings = settingsOf(pgConfigText({ ...base, ...options }));
    expect(settings.port).toBe('25432');
    expect(settings.unix_socket_directories).toBe("'/tmp/wbt-x/run'");
    expect(settings.password_encryption).toBe("'scram-sha-256'");
    for (const [name, value] of Object.entries(expected)) expect(settings[name], name).toBe(value);
  });

  it('keeps the stack tuning for the stack only', () => {
    expect(STACK_SETTINGS.max_slot_wal_keep_size).toBe("'10GB'");
  });

  it.each([
    ['default lines', undefined, 'host    replication  all                 127.0.0.1/32     scram-sha-256'],
    ['lines of the test', ['hostssl all all 127.0.0.0/8 scram-sha-256'], 'hostssl all all 127.0.0.0/8 scram-sha-256'],
  ])('pg_hba.conf trusts only the bootstrap superuser on the socket, then %s', (_, hba, last) => {
    const lines = pgHbaText({ ...base, hba, initdbUser: { user: 'wbadmin' } }).trim().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines.slice(0, 2).map((l) => l.split(/\s+/))).toEqual([
      ['local', 'all', 'wbadmin', 'trust'],
      ['local', 'replication', 'wbadmin', 'trust'],
    ]);
    expect(lines.at(-1)).toBe(last);
  });
});

describe('kafka driver configuration', () => {
  it('the stack: one PLAINTEXT listener, the inter-broker one, with the stack properties', () => {
    const props = kafkaProperties({ ...kafkaBrokerConfig({ dir: '/tmp/k', port: 29092, controllerPort: 29093 }), properties: undefined });
    expect(props).toMatchObject({
      listeners: 'PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:29092',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'controller.quorum.voters': '1@127.0.0.1:29093',
      'log.dirs': '/tmp/k/data',
      ...STACK_BROKER_PROPERTIES,
    });
  });

  it('a test broker: every listener advertised with its protocol, the first one inter-broker', () => {
    const props = kafkaProperties(kafkaBrokerConfig({
      dir: '/tmp/k',
      port: 1,
      controllerPort: 3,
      listeners: [{ name: 'INTERNAL', protocol: 'PLAINTEXT', port: 1 }, { name: 'SASL_SSL', protocol: 'SASL_SSL', port: 2 }],
      properties: { 'sasl.enabled.mechanisms': 'PLAIN' },
    }));
    expect(props).toMatchObject({
      listeners: 'INTERNAL://127.0.0.1:1,SASL_SSL://127.0.0.1:2,CONTROLLER://127.0.0.1:3',
      'advertised.listeners': 'INTERNAL://127.0.0.1:1,SASL_SSL://127.0.0.1:2',
      'inter.broker.listener.name': 'INTERNAL',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL',
      'sasl.enabled.mechanisms': 'PLAIN',
    });
    expect(props['offsets.topic.num.partitions']).toBeUndefined();
  });
});
