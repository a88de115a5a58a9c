import { describe, expect, it } from 'vitest';
import { runSettingsFromTask, runSettingsInput, runSettingsPatch } from './run-settings-values';

const task = {
  alarms: { notify: true, channelIds: ['c'], delayThresholdSeconds: 60, delaySustainSeconds: 360, dataExceptionNotify: false, abnormalStopDays: 14, walRetentionLimitMb: 256 },
  throttle: { rowsPerSecond: 100, mbPerSecond: 2 },
  retry: { connectionMinutes: 720, otherMinutes: 10 },
};

describe('run settings: form values and the edit patch', () => {
  it('shows the task as it is, blank where nothing is set', () => {
    const v = runSettingsFromTask(task);
    expect(v.throttle).toEqual({ rowsPerSecond: 100, mbPerSecond: 2, snapshotRowsPerSecond: '' });
    expect(v.alarms.walRetentionLimitMb).toBe(256);
  });

  it('sends numbers, and removes a cleared limit with null while the alarms it does not show stay', () => {
    const v = runSettingsFromTask(task);
    v.throttle.rowsPerSecond = '';
    v.throttle.mbPerSecond = '5';
    v.alarms.walRetentionLimitMb = '';
    v.retry.otherMinutes = '3';
    expect(runSettingsPatch(task, v)).toEqual({
      alarms: { delayThresholdSeconds: 60, delaySustainSeconds: 360, walRetentionLimitMb: null },
      throttle: { mbPerSecond: 5, rowsPerSecond: null },
      retry: { connectionMinutes: 720, otherMinutes: 3 },
    });
  });

  it('takes only its own keys and survives a draft without these groups', () => {
    expect(runSettingsInput({ alarms: { notify: true, channelIds: [], delayThresholdSeconds: 5 } as never })).toEqual({ alarms: { delayThresholdSeconds: 5 }, throttle: {}, retry: {} });
  });
});
