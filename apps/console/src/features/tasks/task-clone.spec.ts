import { describe, expect, it } from 'vitest';
import { createTaskSchema, type TaskView } from '@walbridge/contracts';
import { cloneTaskInput } from './task-clone';

const task = {
  id: '7d1f2a34-0000-4000-8000-000000000001',
  name: 'orders-to-kafka-with-a-rather-long-name-of-fifty-c',
  description: 'orders',
  tags: [{ key: 'team', value: 'billing' }],
  source: { host: 'db', port: 5432, database: 'shop', username: 'cdc', sslMode: 'disable', passwordSet: true },
  destination: { brokers: 'k1:9092', securityProtocol: 'PLAINTEXT', verifyHostname: true, passwordSet: false, clientKeySet: false },
  policy: { slotName: 'walbridge_custom', objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders', filter: 'id > 1' }], topicPolicy: { mode: 'specific', topic: 'out' } },
  alarms: { delayThresholdSeconds: 30 },
  retry: { connectionMinutes: 60, otherMinutes: 5 },
  throttle: { rowsPerSecond: 100 },
} as unknown as TaskView;

describe('cloning a task', () => {
  it('keeps the settings, drops the secrets and the slot, names the copy within the limit', () => {
    const input = cloneTaskInput(task);
    expect(input.name).toBe('orders-to-kafka-with-a-rather-long-name-of-fi-copy');
    expect(input.source).not.toHaveProperty('password');
    expect(input.policy).not.toHaveProperty('slotName');
    expect(input.policy.tables).toEqual([{ schema: 'shop', table: 'orders', filter: 'id > 1' }]);
    expect(input).toMatchObject({ throttle: { rowsPerSecond: 100 }, retry: { connectionMinutes: 60, otherMinutes: 5 }, tags: [{ key: 'team', value: 'billing' }] });
    expect(createTaskSchema.safeParse(input).success).toBe(true);
  });
});
