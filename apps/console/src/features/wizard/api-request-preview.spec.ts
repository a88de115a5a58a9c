import { describe, expect, it } from 'vitest';
import { createTaskSchema, type TaskView } from '@walbridge/contracts';
import { curlCommand, taskCreateRequest } from './api-request-preview';

function taskView(overrides: { sourcePasswordSet?: boolean; sasl?: boolean } = {}): TaskView {
  const config = createTaskSchema.parse({
    name: 'orders-to-kafka',
    description: 'the shop',
    tags: [{ key: 'team', value: 'data' }],
    source: { host: 'db.internal', port: 5432, database: 'shop', username: 'cdc', password: 'never-shown', sslMode: 'require' },
    destination: overrides.sasl
      ? { brokers: 'k1:9093', securityProtocol: 'SASL_SSL', saslMechanism: 'SCRAM-SHA-512', username: 'u', password: 'never-shown' }
      : { brokers: 'k1:9092', securityProtocol: 'PLAINTEXT' },
    policy: {
      dmlOperations: ['INSERT', 'UPDATE'],
      objectScope: 'tables',
      tables: [{ schema: 'shop', table: 'orders', filter: "status = 'paid'" }],
      topicPolicy: { mode: 'specific', topic: 'orders' },
      partitionPolicy: 'primaryKey',
    },
    throttle: { rowsPerSecond: 5000 },
  });
  const { password: _s, ...source } = config.source;
  const { password: _d, clientKey: _k, ...destination } = config.destination;
  return {
    ...config,
    source: { ...source, passwordSet: overrides.sourcePasswordSet ?? true },
    destination: { ...destination, passwordSet: !!overrides.sasl, clientKeySet: false },
    id: '00000000-0000-4000-8000-000000000001',
    status: 'CONFIGURATION',
    slotName: 'walbridge_x',
    confirmedLsn: null,
    delaySeconds: null,
    lastError: null,
    createdAt: '2026-12-02T00:00:00Z',
    updatedAt: '2026-12-02T00:00:00Z',
  } as unknown as TaskView;
}

/** What a POSIX shell makes of a single-quoted word ('\'' ends, escapes and reopens the quote). */
function unquote(word: string): string {
  return word.replace(/^'|'$/g, '').replace(/'\\''/g, "'");
}

describe('the API request that creates the task being built', () => {
  it('is a body the API accepts, with the task as configured and the start and alarms of step 5', () => {
    const body = taskCreateRequest(taskView(), { start: { mode: 'now' }, alarms: { delayThresholdSeconds: 120, notify: true } });
    const parsed = createTaskSchema.safeParse(body);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(body).toMatchObject({
      name: 'orders-to-kafka',
      source: { host: 'db.internal', sslMode: 'require' },
      policy: { tables: [{ schema: 'shop', table: 'orders', filter: "status = 'paid'" }], partitionPolicy: 'primaryKey' },
      throttle: { rowsPerSecond: 5000 },
      alarms: { delayThresholdSeconds: 120 },
    });
    expect(Object.keys(body.source)).not.toContain('passwordSet');
  });

  it('shows a placeholder for each secret the task holds, never a value, and none for secrets it does not hold', () => {
    const plain = taskCreateRequest(taskView(), { start: { mode: 'now' }, alarms: {} });
    expect(plain.source.password).toBe('<source password>');
    expect(plain.destination).not.toHaveProperty('password');
    const sasl = taskCreateRequest(taskView({ sasl: true }), { start: { mode: 'now' }, alarms: {} });
    expect(sasl.destination.password).toBe('<Kafka password>');
    expect(JSON.stringify(sasl)).not.toContain('never-shown');
    expect(taskCreateRequest(taskView({ sourcePasswordSet: false }), { start: { mode: 'now' }, alarms: {} }).source).not.toHaveProperty('password');
  });

  it('sends a side taken from a saved connection as the reference alone (the server refuses settings next to it)', () => {
    const task = taskView();
    const connectionId = '00000000-0000-4000-8000-0000000000aa';
    const body = taskCreateRequest({ ...task, source: { ...task.source, connectionId } }, { start: { mode: 'now' }, alarms: task.alarms });
    expect(body.source).toEqual({ connectionId });
    expect(body.destination).toMatchObject({ brokers: 'k1:9092' });
    expect(createTaskSchema.safeParse({ ...body, source: task.source }).success).toBe(true);
  });

  it('quotes the body for a shell, so a filter with quotes arrives intact', () => {
    const body = taskCreateRequest(taskView(), { start: { mode: 'now' }, alarms: {} });
    const curl = curlCommand('http://127.0.0.1:8080', body);
    expect(curl).toContain(`curl -X POST 'http://127.0.0.1:8080/api/v1/tasks'`);
    expect(curl).toContain('Authorization: Bearer $WALBRIDGE_TOKEN');
    const data = curl.slice(curl.indexOf('--data ') + '--data '.length);
    expect(JSON.parse(unquote(data))).toEqual(body);
  });
});
