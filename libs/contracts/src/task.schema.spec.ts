import { describe, expect, it } from 'vitest';
import { connectionTestBodySchema } from './connection.schema';
import { createTaskSchema, type CreateTaskInput } from './task.schema';

const valid: CreateTaskInput = {
  name: 'orders-cdc',
  source: { host: 'db.internal', port: 5432, database: 'shop', username: 'cdc', password: 'pw' },
  destination: { brokers: 'k1:9092,k2:9092' },
  policy: { tables: [{ schema: 'public', table: 'orders' }], topicPolicy: { mode: 'specific', topic: 'orders' } },
};

function problems(input: unknown): Record<string, string> {
  const parsed = createTaskSchema.safeParse(input);
  if (parsed.success) return {};
  return Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
}

const withPatch = (patch: (t: CreateTaskInput) => void): CreateTaskInput => {
  const copy = structuredClone(valid);
  patch(copy);
  return copy;
};

describe('createTaskSchema', () => {
  it('accepts a minimal task and fills the defaults of PRODUCT.md §2', () => {
    const parsed = createTaskSchema.parse(valid);
    expect(parsed.destination.brokers).toBe('k1:9092,k2:9092');
    expect(parsed.policy.dmlOperations).toEqual(['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);
    expect(parsed.retry).toEqual({ connectionMinutes: 720, otherMinutes: 10 });
    expect(parsed.alarms.abnormalStopDays).toBe(14);
    expect(parsed.source.sslMode).toBe('disable');
  });

  it.each([
    ['abc', 'name'],
    ['1orders', 'name'],
    ['orders cdc', 'name'],
    ['o'.repeat(51), 'name'],
  ])('refuses the name %j', (name, field) => {
    expect(problems({ ...valid, name })).toHaveProperty(field);
  });

  it('checks description, tags and their keys', () => {
    expect(problems({ ...valid, description: 'a = b' })).toHaveProperty('description');
    expect(problems({ ...valid, description: 'd'.repeat(257) })).toHaveProperty('description');
    expect(problems({ ...valid, tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: '' })) })).toHaveProperty('tags', 'at most 20 tags');
    expect(problems({ ...valid, tags: [{ key: 'env', value: 'a' }, { key: 'env', value: 'b' }] })).toHaveProperty('tags.1.key', 'tag key env is used twice');
  });

  it('checks the source: ports, host, database characters, SSL needs a CA to verify', () => {
    expect(problems(withPatch((t) => (t.source.port = 0)))).toHaveProperty('source.port', 'port must be 1-65535');
    expect(problems(withPatch((t) => (t.source.port = 65536)))).toHaveProperty('source.port', 'port must be 1-65535');
    expect(problems(withPatch((t) => (t.source.host = 'db host')))).toHaveProperty('source.host');
    expect(problems(withPatch((t) => (t.source.database = "sh'op")))).toHaveProperty('source.database');
    expect(problems(withPatch((t) => (t.source.sslMode = 'verify-full')))).toHaveProperty('source.caCert', 'caCert is required when sslMode is verify-full');
    expect(problems(withPatch((t) => Object.assign(t.source, { sslMode: 'verify-ca', caCert: 'not a pem' })))).toHaveProperty('source.caCert');
  });

  it('checks 1-10 brokers as host:port, and SASL needs mechanism, user and password', () => {
    expect(problems(withPatch((t) => (t.destination.brokers = '')))).toHaveProperty('destination.brokers', 'at least one broker is required');
    expect(problems(withPatch((t) => (t.destination.brokers = Array.from({ length: 11 }, (_, i) => `k${i}:9092`).join(','))))).toHaveProperty(
      'destination.brokers',
      'at most 10 brokers',
    );
    expect(problems(withPatch((t) => (t.destination.brokers = 'k1')))).toHaveProperty('destination.brokers.0', 'each broker must be host:port');
    expect(problems(withPatch((t) => (t.destination.brokers = 'k1:70000')))).toHaveProperty('destination.brokers.0', 'broker port must be 1-65535');
    expect(problems(withPatch((t) => (t.destination.brokers = 'k1:1,k1:1')))).toHaveProperty('destination.brokers');
    const sasl = problems(withPatch((t) => (t.destination.securityProtocol = 'SASL_SSL')));
    expect(Object.keys(sasl).sort()).toEqual(['destination.password', 'destination.saslMechanism', 'destination.username']);
    expect(problems(withPatch((t) => (t.destination.clientCert = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----')))).toHaveProperty('destination.clientCert');
  });

  it('checks the slot name, object and column names, and duplicate selections', () => {
    for (const slotName of ['1slot', 'Slot', 'slot-x', 's'.repeat(64)]) {
      expect(problems(withPatch((t) => (t.policy.slotName = slotName)))).toHaveProperty('policy.slotName');
    }
    expect(problems(withPatch((t) => (t.policy.slotName = '_ok_1')))).toEqual({});
    expect(problems(withPatch((t) => (t.policy.tables = [{ schema: 'pub"lic', table: 't' }])))).toHaveProperty('policy.tables.0.schema');
    expect(problems(withPatch((t) => (t.policy.tables = [{ schema: 'public', table: 'a.b' }])))).toHaveProperty('policy.tables.0.table');
    expect(problems(withPatch((t) => (t.policy.tables = [{ schema: 'public', table: 't', includeColumns: ["it's"] }])))).toHaveProperty('policy.tables.0.includeColumns.0');
    expect(problems(withPatch((t) => (t.policy.tables = [{ schema: 'p', table: 't' }, { schema: 'p', table: 't' }])))).toHaveProperty('policy.tables.1');
    expect(problems(withPatch((t) => (t.policy.tables = [])))).toHaveProperty('policy.tables', 'select at least one table');
    expect(
      problems(withPatch((t) => (t.policy.tables = [{ schema: 'p', table: 't', includeColumns: ['a'], excludeColumns: ['b'] }]))),
    ).toHaveProperty('policy.tables.0.excludeColumns');
  });

  it('checks the topic policy: partitions, replication factor, required fields per mode', () => {
    expect(problems(withPatch((t) => (t.policy.topicPolicy = { mode: 'auto' })))).toHaveProperty('policy.topicPolicy.nameFormat');
    expect(problems(withPatch((t) => (t.policy.topicPolicy = { mode: 'specific' })))).toHaveProperty('policy.topicPolicy.topic');
    expect(problems(withPatch((t) => (t.policy.topicPolicy = { mode: 'auto', nameFormat: '$tablename$', partitions: 0 })))).toHaveProperty('policy.topicPolicy.partitions');
    expect(problems(withPatch((t) => (t.policy.topicPolicy = { mode: 'auto', nameFormat: '$tablename$', replicationFactor: 33 })))).toHaveProperty(
      'policy.topicPolicy.replicationFactor',
    );
  });

  it('checks thresholds, day ranges and retry windows', () => {
    expect(problems({ ...valid, alarms: { delayThresholdSeconds: 3601 } })).toHaveProperty('alarms.delayThresholdSeconds');
    expect(problems({ ...valid, alarms: { abnormalStopDays: 13 } })).toHaveProperty('alarms.abnormalStopDays', 'abnormalStopDays must be 14-100');
    expect(problems({ ...valid, alarms: { abnormalStopDays: 101 } })).toHaveProperty('alarms.abnormalStopDays');
    expect(problems({ ...valid, alarms: { delaySustainSeconds: 5 } })).toHaveProperty('alarms.delaySustainSeconds', 'delaySustainSeconds must be 10-86400');
    expect(problems({ ...valid, alarms: { walRetentionLimitMb: -1 } })).toHaveProperty('alarms.walRetentionLimitMb', 'walRetentionLimitMb must be 0-10485760 (0 = off)');
    expect(problems({ ...valid, alarms: { walRetentionLimitMb: 1.5 } })).toHaveProperty('alarms.walRetentionLimitMb', 'walRetentionLimitMb must be an integer');
    expect(problems({ ...valid, alarms: { channelIds: ['x'] } })).toHaveProperty('alarms.channelIds.0', 'channelIds must hold channel ids (UUID)');
    expect(problems({ ...valid, retry: { connectionMinutes: 9 } })).toHaveProperty('retry.connectionMinutes');
    expect(problems({ ...valid, retry: { connectionMinutes: 10, otherMinutes: 10 } })).toHaveProperty('retry.otherMinutes', 'otherMinutes must be smaller than connectionMinutes');
    expect(problems({ ...valid, retry: { connectionMinutes: 1440, otherMinutes: 1441 } })).toHaveProperty('retry.otherMinutes');
    expect(problems({ ...valid, start: { mode: 'at' } })).toHaveProperty('start.at', 'at is required when mode is at');
  });
  it.each([
    [{ format: 'debezium-json', formatOptions: { decimalHandling: 'double' } }, 'policy.formatOptions.decimalHandling', 'decimalHandling must be "precise" or "string"'],
    [{ format: 'debezium-json', formatOptions: { timeHandling: 'millis' } }, 'policy.formatOptions.timeHandling', 'timeHandling must be "micros" or "iso"'],
    [{ format: 'debezium-json', formatOptions: { tombstones: 'yes' } }, 'policy.formatOptions.tombstones', 'tombstones must be true or false'],
    [{ format: 'debezium-json', formatOptions: { schemas: true } }, 'policy.formatOptions', 'formatOptions takes includeSchema, tombstones, decimalHandling and timeHandling only'],
    [{ format: 'canal-json', formatOptions: { includeSchema: true } }, 'policy.formatOptions', 'formatOptions apply only to format debezium-json (format is canal-json)'],
    [{ format: 'protobuf' }, 'policy.format', 'format must be one of json, avro, debezium-json, canal-json, avro-registry'],
  ])('refuses format settings %j, naming the field', (policy, field, message) => {
    expect(problems(withPatch((t) => Object.assign(t.policy, policy)))).toEqual({ [field]: message });
  });

  it('accepts each format, and Debezium options with debezium-json', () => {
    for (const format of ['json', 'avro', 'debezium-json', 'canal-json'] as const) expect(problems(withPatch((t) => (t.policy.format = format)))).toEqual({});
    const options = { includeSchema: true, tombstones: true, decimalHandling: 'string', timeHandling: 'iso' } as const;
    expect(createTaskSchema.parse(withPatch((t) => Object.assign(t.policy, { format: 'debezium-json', formatOptions: options }))).policy.formatOptions).toEqual(options);
  });
});

describe('connectionTestBodySchema', () => {
  it('accepts the flat body of PRODUCT.md §9 and the nested one', () => {
    const flat = connectionTestBodySchema.parse({ type: 'destination', brokers: 'k:9092' });
    expect(flat).toEqual({ type: 'destination', connection: expect.objectContaining({ brokers: 'k:9092', securityProtocol: 'PLAINTEXT' }) });
    expect(connectionTestBodySchema.parse({ type: 'source', connection: valid.source })).toMatchObject({ type: 'source', connection: { host: 'db.internal' } });
    expect(connectionTestBodySchema.safeParse({ type: 'mysql' }).success).toBe(false);
  });
});
