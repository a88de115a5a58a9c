import { alarmsSchema, retrySchema, throttleSchema, type TaskView } from '@walbridge/contracts';
import { withoutBlanks } from '../../ui/zod-form';

/*
 * The settings a task may change while it runs, is paused or fails (the API's editSettings):
 * alarms, throttle and retry windows. Number inputs hold strings; blanks mean "not set".
 */
type NumberText = number | string;

export interface RunSettingsValues {
  alarms: { delayThresholdSeconds: NumberText; delaySustainSeconds: NumberText; walRetentionLimitMb: NumberText };
  throttle: { rowsPerSecond: NumberText; mbPerSecond: NumberText; snapshotRowsPerSecond: NumberText };
  retry: { connectionMinutes: NumberText; otherMinutes: NumberText };
}

/** Where each field's rule lives in the contracts (its hint and bounds come from there). */
export const RUN_SETTINGS_SCHEMAS = { alarms: alarmsSchema, throttle: throttleSchema, retry: retrySchema } as const;

const text = (v: number | undefined): NumberText => (v === undefined ? '' : v);

export function runSettingsFromTask(task: Pick<TaskView, 'alarms' | 'throttle' | 'retry'>): RunSettingsValues {
  return {
    alarms: {
      delayThresholdSeconds: text(task.alarms.delayThresholdSeconds),
      delaySustainSeconds: text(task.alarms.delaySustainSeconds),
      walRetentionLimitMb: text(task.alarms.walRetentionLimitMb),
    },
    throttle: { rowsPerSecond: text(task.throttle.rowsPerSecond), mbPerSecond: text(task.throttle.mbPerSecond), snapshotRowsPerSecond: text(task.throttle.snapshotRowsPerSecond) },
    retry: { connectionMinutes: text(task.retry.connectionMinutes), otherMinutes: text(task.retry.otherMinutes) },
  };
}

/** A number input's value as a number (the API checks numbers, not numeric strings); blank: not set. */
export function num(value: NumberText): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isNaN(n) ? (value as unknown as number) : n;
}

const KEYS = {
  alarms: ['delayThresholdSeconds', 'delaySustainSeconds', 'walRetentionLimitMb'],
  throttle: ['rowsPerSecond', 'mbPerSecond', 'snapshotRowsPerSecond'],
  retry: ['connectionMinutes', 'otherMinutes'],
} as const;

// Only this form's keys (the wizard's alarms hold more); a draft saved before these fields existed has no group.
const numbers = (group: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, number> =>
  withoutBlanks(Object.fromEntries(keys.map((k) => [k, num((group?.[k] as NumberText | undefined) ?? '')]))) as Record<string, number>;

/** The values as the API takes them: a blank throttle or WAL limit is no limit (the server's default). */
export function runSettingsInput(v: Partial<RunSettingsValues>) {
  return { alarms: numbers(v.alarms, KEYS.alarms), throttle: numbers(v.throttle, KEYS.throttle), retry: numbers(v.retry, KEYS.retry) };
}

/**
 * The merge patch of an edit: the alarms keep what this form does not show (channels, notify);
 * a cleared throttle or WAL limit is removed (null), so the task goes back to no limit.
 */
export function runSettingsPatch(task: Pick<TaskView, 'throttle' | 'alarms'>, v: Partial<RunSettingsValues>) {
  const input = runSettingsInput(v);
  const cleared = (stored: object, next: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.filter((k) => k in stored && !(k in next)).map((k) => [k, null]));
  // The API merges alarms: the fields this form does not show stay as they are.
  return {
    alarms: { ...input.alarms, ...cleared(task.alarms, input.alarms, ['walRetentionLimitMb']) },
    throttle: { ...input.throttle, ...cleared(task.throttle, input.throttle, [...KEYS.throttle]) },
    retry: input.retry,
  };
}
