import { describe, expect, it } from 'vitest';
import { createTaskSchema, policySchema, sourceSchema } from '@walbridge/contracts';
import {
  basicInput,
  confirmInput,
  DEFAULT_CONFIRM,
  DEFAULT_CONNECTIONS,
  DEFAULT_POLICY,
  destinationInput,
  policyInput,
  replacingPatch,
  sourceInput,
  valuesFromTask,
  withoutBlanks,
  type PolicyValues,
} from './wizard-values';

const source = { ...DEFAULT_CONNECTIONS.source, host: 'db.internal', port: '5432', database: 'shop', username: 'cdc', password: 'pw' };

describe('form values as the API gets them', () => {
  it('drops blank inputs instead of sending empty strings the API would validate', () => {
    expect(withoutBlanks({ a: '', b: ' ', c: 'x', d: Number.NaN, e: [{ k: '' }], f: false })).toEqual({ c: 'x', e: [{}], f: false });
  });

  it('sends only the reference when a saved connection is chosen, and never the name to save it under', () => {
    const id = '5b1f5c36-2d6f-4a51-9a1e-0a5f2f3c9d10';
    expect(sourceInput({ ...source, connectionId: id, saveAs: 'shop db' })).toEqual({ connectionId: id });
    expect(destinationInput({ ...DEFAULT_CONNECTIONS.destination, brokers: 'k:9092', connectionId: id })).toEqual({ connectionId: id });
    expect(sourceInput({ ...source, connectionId: '', saveAs: 'shop db' })).not.toHaveProperty('saveAs');
    expect(sourceInput({ ...source, connectionId: '' })).not.toHaveProperty('connectionId');
  });

  it('sends a port typed as text as a number, and no CA certificate when the SSL mode ignores it', () => {
    const input = sourceInput({ ...source, caCert: '-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----' });
    expect(input).toEqual({ host: 'db.internal', port: 5432, database: 'shop', username: 'cdc', password: 'pw', sslMode: 'disable' });
    expect(sourceSchema.safeParse(input).success).toBe(true);
  });

  it('reports a missing port as the API does, not as a silent default', () => {
    const parsed = sourceSchema.safeParse(sourceInput({ ...source, port: '' }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['port'] });
  });

  it('keeps SASL and TLS fields out of a PLAINTEXT destination', () => {
    const d = { ...DEFAULT_CONNECTIONS.destination, brokers: 'k1:9092, k2:9092', username: 'u', password: 'p', clientCert: 'c' };
    expect(destinationInput(d)).toEqual({ brokers: 'k1:9092, k2:9092', securityProtocol: 'PLAINTEXT', verifyHostname: true });
    expect(destinationInput({ ...d, securityProtocol: 'SASL_PLAINTEXT', saslMechanism: 'PLAIN' })).toMatchObject({ username: 'u', password: 'p', saslMechanism: 'PLAIN' });
  });

  it('sends the schema registry only when it has a url, password included', () => {
    const d = { ...DEFAULT_CONNECTIONS.destination, brokers: 'k:9092' };
    expect(destinationInput(d)).not.toHaveProperty('schemaRegistry');
    expect(destinationInput({ ...d, schemaRegistry: { url: '', username: 'u', password: 'p' } })).not.toHaveProperty('schemaRegistry');
    expect(destinationInput({ ...d, schemaRegistry: { url: ' http://reg:8081 ', username: 'u', password: 'p' } }).schemaRegistry).toEqual({ url: 'http://reg:8081', username: 'u', password: 'p' });
    expect(destinationInput({ ...d, schemaRegistry: { url: 'http://reg:8081', username: '', password: '' } }).schemaRegistry).toEqual({ url: 'http://reg:8081' });
  });

  it('turns the per-table column choice into includeColumns or excludeColumns', () => {
    const policy: PolicyValues = {
      ...DEFAULT_POLICY,
      topicPolicy: { ...DEFAULT_POLICY.topicPolicy, topic: 'orders' },
      tables: [
        { schema: 'shop', table: 'orders', topic: '', dmlOperations: null, filter: "status = 'paid'", columnMode: 'include', columns: 'id, total ,' },
        { schema: 'shop', table: 'customers', topic: 't2', dmlOperations: ['INSERT'], filter: '', columnMode: 'all', columns: 'ignored' },
      ],
    };
    const input = policyInput(policy);
    expect(input.tables).toEqual([
      { schema: 'shop', table: 'orders', filter: "status = 'paid'", includeColumns: ['id', 'total'] },
      { schema: 'shop', table: 'customers', topic: 't2', dmlOperations: ['INSERT'] },
    ]);
    expect(input.topicPolicy).toEqual({ mode: 'specific', topic: 'orders' });
    expect(policySchema.safeParse(input).success).toBe(true);
  });

  it('sends TRUNCATE among the default operations, and the schema-change topic only when one is typed', () => {
    const base: PolicyValues = { ...DEFAULT_POLICY, topicPolicy: { ...DEFAULT_POLICY.topicPolicy, topic: 'orders' }, tables: [] };
    expect(policyInput(base).dmlOperations).toEqual(['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);
    expect(policyInput(base)).not.toHaveProperty('schemaChangeTopic');
    expect(policyInput({ ...base, schemaChangeTopic: ' ddl.events ' }).schemaChangeTopic).toBe('ddl.events');
    const bad = policySchema.safeParse(policyInput({ ...base, schemaChangeTopic: 'no spaces' }));
    expect(bad.error?.issues).toContainEqual(expect.objectContaining({ path: ['schemaChangeTopic'], message: expect.stringContaining('schemaChangeTopic: only letters') }));
  });

  it('sends the Debezium options with format debezium-json only', () => {
    const base: PolicyValues = { ...DEFAULT_POLICY, tables: [{ schema: 's', table: 't', topic: '', dmlOperations: null, filter: '', columnMode: 'all', columns: '' }], topicPolicy: { ...DEFAULT_POLICY.topicPolicy, topic: 'o' } };
    const options = { includeSchema: true, tombstones: false, decimalHandling: 'string', timeHandling: 'iso' } as const;
    const debezium = policyInput({ ...base, format: 'debezium-json', formatOptions: options });
    expect(debezium).toMatchObject({ format: 'debezium-json', formatOptions: options });
    expect(policySchema.safeParse(debezium).success).toBe(true);
    const canal = policyInput({ ...base, format: 'canal-json', formatOptions: options });
    expect(canal).not.toHaveProperty('formatOptions');
    expect(policySchema.safeParse(canal).success).toBe(true);
  });

  it('names the form field the shared schema complains about', () => {
    const parsed = policySchema.safeParse(policyInput({ ...DEFAULT_POLICY, topicPolicy: { ...DEFAULT_POLICY.topicPolicy, mode: 'auto', nameFormat: '' } }));
    const paths = parsed.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['tables', 'topicPolicy.nameFormat']));
  });

  it('sends the start time as an instant and no channels when notifications are off', () => {
    const input = confirmInput({
      ...DEFAULT_CONFIRM,
      start: { mode: 'at', at: '2031-02-03T04:05' },
      alarms: { ...DEFAULT_CONFIRM.alarms, channelIds: ['c'], delayThresholdSeconds: '30' },
    });
    expect(input.start).toEqual({ mode: 'at', at: new Date('2031-02-03T04:05').toISOString() });
    expect(input.alarms).toMatchObject({ channelIds: [], delayThresholdSeconds: 30, abnormalStopDays: 14 });
  });

  it('builds a task the API accepts from the first two steps', () => {
    const input = {
      ...basicInput({ name: 'orders-cdc', description: '', tags: [{ key: 'team', value: '' }] }),
      source: sourceInput(source),
      destination: destinationInput({ ...DEFAULT_CONNECTIONS.destination, brokers: '127.0.0.1:9092' }),
      policy: { objectScope: 'database' as const, topicPolicy: { mode: 'auto' as const, nameFormat: '$schema$' } },
    };
    expect(createTaskSchema.safeParse(input).success).toBe(true);
  });
});

describe('a merge patch that replaces what the task has', () => {
  it('removes optional fields the form cleared, keeps write-only secrets left blank', () => {
    const stored = { host: 'a', port: 1, caCert: 'pem', sslMode: 'verify-ca' };
    const next = { host: 'b', port: 1, sslMode: 'disable' };
    expect(replacingPatch(stored, next, ['password'])).toEqual({ host: 'b', port: 1, sslMode: 'disable', caCert: null });
  });

  it('merges nested objects and replaces arrays', () => {
    const stored = { topicPolicy: { mode: 'specific', topic: 't' }, tables: [{ schema: 's', table: 'a' }] };
    const next = { topicPolicy: { mode: 'auto', nameFormat: 'x' }, tables: [{ schema: 's', table: 'b' }] };
    expect(replacingPatch(stored, next)).toEqual({ topicPolicy: { mode: 'auto', nameFormat: 'x', topic: null }, tables: [{ schema: 's', table: 'b' }] });
  });
});

describe('continuing the setup of a saved task', () => {
  it('fills the forms from the task, without secrets and without the default slot name', () => {
    const id = '3f2c8a4e-1b7d-4c1e-9a65-0e4f2b6d8c10';
    const values = valuesFromTask({
      id,
      name: 'orders-cdc',
      description: '',
      tags: [],
      status: 'CONFIGURATION',
      source: { host: 'db', port: 5432, database: 'shop', username: 'cdc', sslMode: 'disable', passwordSet: true },
      destination: { brokers: 'k:9092', securityProtocol: 'PLAINTEXT', verifyHostname: true, passwordSet: false, clientKeySet: false },
      policy: {
        dmlOperations: ['INSERT', 'UPDATE'],
        slotName: `walbridge_${id.replace(/-/g, '_')}`,
        objectScope: 'tables',
        tables: [{ schema: 'shop', table: 'orders', excludeColumns: ['secret'] }],
        topicPolicy: { mode: 'specific', topic: 'orders' },
        partitionPolicy: 'primaryKey',
        format: 'json',
        compression: 'none',
        syncMode: 'incremental',
      },
      start: { mode: 'now' },
      alarms: { notify: false, channelIds: [], delayThresholdSeconds: 10, delaySustainSeconds: 360, dataExceptionNotify: false, abnormalStopDays: 14 },
      retry: { connectionMinutes: 720, otherMinutes: 10 },
      throttle: {},
      slotName: `walbridge_${id.replace(/-/g, '_')}`,
      confirmedLsn: null,
      delaySeconds: null,
      lastError: null,
      createdAt: '',
      updatedAt: '',
      allowedOperations: ['edit', 'precheck', 'submit', 'stop', 'forceStop', 'delete'],
      pendingOperation: null,
      precheckRequired: false,
      scheduledStartAt: null,
      failure: null,
      scheduler: null,
      slot: { name: 'x', publication: 'x', exists: null, retainedWalBytes: null, checkedAt: null, leftover: false, dropSql: null },
    });
    expect(values.connections.source.password).toBe('');
    expect(values.policy.slotName).toBe('');
    expect(values.policy.tables[0]).toMatchObject({ columnMode: 'exclude', columns: 'secret', dmlOperations: null });
    expect(values.confirm.alarms.delayThresholdSeconds).toBe(10);
  });
});
