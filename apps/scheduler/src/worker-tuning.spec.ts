import { describe, expect, it } from 'vitest';
import { ConfigError } from '@walbridge/config';
import { loadWorkerTuning } from './worker-tuning';

describe('loadWorkerTuning', () => {
  it('gives the production values when nothing is set', () => {
    expect(loadWorkerTuning({})).toEqual({
      heartbeatMs: 60_000,
      slotReportMs: 5000,
      startDeadlineMs: 120_000,
      snapshotParallel: 2,
      topicCheckMs: 5000,
      tableDiscoveryMs: 5000,
      maxBatchBytes: 900_000,
      maxBatchMessages: 10_000,
      backpressureHighBytes: 8 * 1024 * 1024,
      backpressureLowBytes: 2 * 1024 * 1024,
    });
  });

  it('reads each value from its variable', () => {
    expect(
      loadWorkerTuning({
        WALBRIDGE_HEARTBEAT_MS: '5000',
        WALBRIDGE_SLOT_REPORT_MS: '1000',
        WALBRIDGE_START_DEADLINE_MS: '30000',
        WALBRIDGE_SNAPSHOT_PARALLEL: '4',
        WALBRIDGE_TOPIC_CHECK_MS: '500',
        WALBRIDGE_TABLE_DISCOVERY_MS: '2000',
        WALBRIDGE_MAX_BATCH_BYTES: '500000',
        WALBRIDGE_MAX_BATCH_MESSAGES: '1000',
        WALBRIDGE_BACKPRESSURE_HIGH_BYTES: '4000000',
        WALBRIDGE_BACKPRESSURE_LOW_BYTES: '1000000',
      }),
    ).toEqual({
      heartbeatMs: 5000,
      slotReportMs: 1000,
      startDeadlineMs: 30_000,
      snapshotParallel: 4,
      topicCheckMs: 500,
      tableDiscoveryMs: 2000,
      maxBatchBytes: 500_000,
      maxBatchMessages: 1000,
      backpressureHighBytes: 4_000_000,
      backpressureLowBytes: 1_000_000,
    });
  });

  it.each([
    ['WALBRIDGE_HEARTBEAT_MS', 'soon'],
    ['WALBRIDGE_SNAPSHOT_PARALLEL', '0'],
    ['WALBRIDGE_TOPIC_CHECK_MS', '1.5'],
    ['WALBRIDGE_START_DEADLINE_MS', '99999999'],
    ['WALBRIDGE_MAX_BATCH_BYTES', '100'],
    // Low water at or above the default high water mark: reading would never resume.
    ['WALBRIDGE_BACKPRESSURE_LOW_BYTES', String(8 * 1024 * 1024)],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    const load = () => loadWorkerTuning({ [variable]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`${variable}: `));
  });
});
