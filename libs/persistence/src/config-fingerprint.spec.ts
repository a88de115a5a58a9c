import { describe, expect, it } from 'vitest';
import { outdatesPrecheck, taskConfigFingerprint } from './config-fingerprint';

// The rows below hold only what the fingerprint reads, in the loose shape of the stored jsonb.
const fingerprint = (task: object) => taskConfigFingerprint(task as Parameters<typeof taskConfigFingerprint>[0]);

const base = {
  slotName: 'walbridge_x',
  publicationName: 'walbridge_x',
  secrets: Buffer.from('sealed'),
  config: {
    name: 'orders',
    description: '',
    tags: [],
    source: { host: 'db', port: 5432, database: 'shop', username: 'cdc' },
    destination: { brokers: 'k:9092' },
    policy: { objectScope: 'tables', tables: [{ schema: 'shop', table: 'orders' }] },
    start: { mode: 'now' },
    alarms: { notify: false, delayThresholdSeconds: 0 },
    retry: { connectionMinutes: 720, otherMinutes: 10 },
    throttle: {},
    secretsSet: { source: true, destination: false, clientKey: false },
  },
};

function withConfig(patch: Record<string, unknown>) {
  return { ...base, config: { ...base.config, ...patch } };
}

describe('the configuration a precheck vouches for', () => {
  it('is outdated by a change of what is read, written or synchronized, or of a credential', () => {
    const before = fingerprint(base);
    expect(fingerprint(withConfig({ source: { ...base.config.source, port: 5433 } }))).not.toBe(before);
    expect(fingerprint(withConfig({ destination: { brokers: 'k2:9092' } }))).not.toBe(before);
    expect(fingerprint(withConfig({ policy: { ...base.config.policy, partitionPolicy: 'zero' } }))).not.toBe(before);
    expect(fingerprint({ ...base, secrets: Buffer.from('resealed') })).not.toBe(before);
    expect(fingerprint({ ...base, slotName: 'other' })).not.toBe(before);
  });

  it('is kept by the settings of the wizard step after the precheck, and by name, description and tags', () => {
    const before = fingerprint(base);
    const after = withConfig({
      name: 'orders2',
      description: 'x',
      tags: [{ key: 'team', value: 'a' }],
      start: { mode: 'at', at: '2030-01-01T00:00:00Z' },
      alarms: { notify: true, delayThresholdSeconds: 30 },
      retry: { connectionMinutes: 60, otherMinutes: 5 },
      throttle: { rowsPerSecond: 10 },
    });
    expect(fingerprint(after)).toBe(before);
  });

  it('tells the task log whether an edit calls for a new precheck', () => {
    expect(outdatesPrecheck(['policy.tables', 'description'])).toBe(true);
    expect(outdatesPrecheck(['alarms.delayThresholdSeconds', 'start.mode', 'name'])).toBe(false);
    expect(outdatesPrecheck(['sourceNotes'])).toBe(false);
  });
});
