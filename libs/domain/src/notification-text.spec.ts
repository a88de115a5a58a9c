import { describe, expect, it } from 'vitest';
import { describeNotification, formatBytes, formatSeconds, type NotificationInput } from './notification-text';
import { slotRetentionChange } from './slot-retention-alarm';

const TASK = { id: '3f0c1a9e-5b8e-4f43-9a43-0d6a4bd1c9a1', name: 'orders-to-kafka' };
const T = Date.parse('2026-11-20T10:00:00Z');

const EVERY_KIND: NotificationInput[] = [
  {
    kind: 'delayAlarm',
    delaySeconds: 412.4,
    thresholdSeconds: 60,
    sustainSeconds: 360,
    aboveSince: T,
    confirmedLsn: '0/1A2B3C',
    rowsReadPerSecond: 1200,
    rowsWrittenPerSecond: 100,
    retainedWalBytes: 3 * 1024 ** 3,
    throttle: { rowsPerSecond: 100 },
  },
  { kind: 'delayRecovered', delaySeconds: 0.4, thresholdSeconds: 60, aboveSince: T, firedAt: T + 360_000, peakSeconds: 950, lastedSeconds: 1200 },
  { kind: 'taskAbnormal', status: 'INCREMENTAL_FAILED', error: 'connect ECONNREFUSED 10.0.0.5:9092', failureKind: 'network', since: T, retrying: true, retryUntil: T + 720 * 60_000, autoStopAt: T + 14 * 86_400_000 },
  { kind: 'taskAbnormal', status: 'START_FAILED', error: 'Kafka topic orders does not exist', failureKind: 'other', since: T, retrying: false, retryUntil: T + 600_000, autoStopAt: T + 14 * 86_400_000 },
  { kind: 'dataException', status: 'INCREMENTAL_FAILED', error: 'change 000000000A2E1F30-00000000 of shop.orders (1.4 MB) is larger than the broker accepts', since: T, retrying: true, retryUntil: T + 600_000 },
  { kind: 'taskAutoStopped', previousStatus: 'INCREMENTAL_FAILED', since: T, abnormalStopDays: 14, error: 'boom' },
  { kind: 'slotWalRetention', status: 'PAUSED', slotName: 'walbridge_orders', retainedWalBytes: 12 * 1024 ** 3, limitBytes: 10 * 1024 ** 3 },
  { kind: 'test', channelName: 'ops-webhook' },
  {
    kind: 'taskAbnormal',
    status: 'INCREMENTAL_FAILED',
    error: 'replication slot walbridge_orders was dropped; changes since LSN 0/1A2B3C cannot be recovered',
    failureKind: 'slotLost',
    slotLost: { slot: 'walbridge_orders', reason: 'dropped', sinceLsn: '0/1A2B3C', figures: {} },
    since: T,
    retrying: false,
    retryUntil: T,
    autoStopAt: T + 14 * 86_400_000,
  },
  {
    kind: 'taskAbnormal',
    status: 'INCREMENTAL_FAILED',
    error: 'replication slot walbridge_orders was invalidated by the source (wal_status = lost)',
    failureKind: 'slotLost',
    slotLost: { slot: 'walbridge_orders', reason: 'invalidated', sinceLsn: '0/1A2B3C', figures: { maxSlotWalKeepSize: '64MB', currentWalLsn: '0/9000000', behindBytes: 150000000 } },
    since: T,
    retrying: false,
    retryUntil: T,
    autoStopAt: T + 14 * 86_400_000,
  },
];

describe('notification text', () => {
  it('names the task, says what happened with figures and what to do, for every kind', () => {
    for (const input of EVERY_KIND) {
      const text = describeNotification(input.kind === 'test' ? null : TASK, input);
      const all = `${text.title}\n${text.message}\n${text.runbook}`;
      expect(all, input.kind).not.toMatch(/undefined|NaN|\[object/);
      expect(text.runbook.length, input.kind).toBeGreaterThan(10);
      expect(Object.keys(text.figures).length, input.kind).toBeGreaterThan(0);
      if (input.kind !== 'test') {
        expect(text.title, input.kind).toContain(TASK.name);
        expect(text.message, input.kind).toContain(TASK.id);
      }
    }
  });

  it('gives the delay alarm its figures and points at the throttle when there is one', () => {
    const text = describeNotification(TASK, EVERY_KIND[0]);
    expect(text.severity).toBe('warning');
    expect(text.title).toBe('Task orders-to-kafka: delay 6 min 52 s, above its 1 min threshold for 6 min');
    expect(text.message).toContain('since 2026-11-20T10:00:00.000Z');
    expect(text.message).toContain('WAL retained by the slot: 3 GB');
    expect(text.runbook).toContain("the task's throttle (100 rows/s)");
    expect(text.figures).toMatchObject({ delaySeconds: 412.4, thresholdSeconds: 60, sustainSeconds: 360, confirmedLsn: '0/1A2B3C', rowsWrittenPerSecond: 100 });
  });

  it('tells a failure that is still retried from one that gave up, with the error and the deadlines', () => {
    const retrying = describeNotification(TASK, EVERY_KIND[2]);
    expect(retrying.severity).toBe('critical');
    expect(retrying.message).toContain('connect ECONNREFUSED 10.0.0.5:9092');
    expect(retrying.message).toContain('until 2026-11-20T22:00:00.000Z');
    expect(retrying.runbook).toMatch(/reachable/);
    const gaveUp = describeNotification(TASK, EVERY_KIND[3]);
    expect(gaveUp.title).toBe('Task orders-to-kafka gave up retrying: START_FAILED');
    expect(gaveUp.runbook).toMatch(/Resume the task/);
    expect(gaveUp.figures).toMatchObject({ status: 'START_FAILED', retrying: false, error: 'Kafka topic orders does not exist' });
  });

  it('says a lost slot lost the changes since its LSN, how to reset, and never that nothing is lost', () => {
    const dropped = describeNotification(TASK, EVERY_KIND[8]);
    expect(dropped.title).toBe('Task orders-to-kafka: replication slot walbridge_orders dropped, changes since LSN 0/1A2B3C cannot be recovered');
    expect(dropped.message).toContain('changes since LSN 0/1A2B3C cannot be recovered');
    expect(dropped.runbook).toContain(`POST /api/v1/tasks/${TASK.id}/reset`);
    expect(dropped.runbook).toMatch(/full synchronization/);
    expect(dropped.figures).toMatchObject({ slotName: 'walbridge_orders', slotLoss: 'dropped', lostSinceLsn: '0/1A2B3C', retrying: false });
    const invalidated = describeNotification(TASK, EVERY_KIND[9]);
    expect(invalidated.message).toContain('wal_status = lost');
    expect(invalidated.runbook).toContain('max_slot_wal_keep_size (64MB)');
    expect(invalidated.figures).toMatchObject({ slotLoss: 'invalidated', maxSlotWalKeepSize: '64MB', behindBytes: 150000000 });
    for (const text of [dropped, invalidated, describeNotification(TASK, EVERY_KIND[2])]) {
      expect(`${text.title} ${text.message} ${text.runbook}`).not.toMatch(/nothing is lost/i);
    }
  });

  it('advises on retained WAL by the task status', () => {
    expect(describeNotification(TASK, EVERY_KIND[6]).runbook).toMatch(/PAUSED: resume it/);
    expect(describeNotification(TASK, { ...EVERY_KIND[6], status: 'COMPLETED' } as NotificationInput).runbook).toMatch(/left over/);
    expect(describeNotification(TASK, EVERY_KIND[6]).title).toContain('retains 12 GB of WAL (limit 10 GB)');
  });

  it('formats durations and sizes for people', () => {
    expect([0, 2.25, 45, 60, 370, 3600, 7500].map(formatSeconds)).toEqual(['0 s', '2.3 s', '45 s', '1 min', '6 min 10 s', '1 h', '2 h 5 min']);
    expect([512, 1536, 10 * 1024 ** 2, 1.5 * 1024 ** 3].map(formatBytes)).toEqual(['512 bytes', '1.5 kB', '10 MB', '1.5 GB']);
  });
});

describe('slot retention alarm', () => {
  const LIMIT = 1000;
  it('raises once above the limit and clears only below 90 % of it', () => {
    expect(slotRetentionChange(false, 1000, LIMIT)).toBeNull();
    expect(slotRetentionChange(false, 1001, LIMIT)).toBe('raise');
    expect(slotRetentionChange(true, 5000, LIMIT)).toBeNull();
    expect(slotRetentionChange(true, 950, LIMIT)).toBeNull();
    expect(slotRetentionChange(true, 899, LIMIT)).toBe('clear');
  });

  it('is off with a limit of 0, and ignores an unknown measure', () => {
    expect(slotRetentionChange(false, 1e12, 0)).toBeNull();
    expect(slotRetentionChange(true, 1e12, 0)).toBe('clear');
    expect(slotRetentionChange(false, null, LIMIT)).toBeNull();
    expect(slotRetentionChange(true, null, LIMIT)).toBeNull();
  });
});
