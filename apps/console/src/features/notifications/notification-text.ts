import type { NotificationChannelView, NotificationKindName, NotificationSeverityName } from '@walbridge/contracts';

/** Notification kinds in a reader's words (a new kind fails tsc until it is named here). */
export const KIND_TEXT: Record<NotificationKindName, string> = {
  delayAlarm: 'Delay above its threshold',
  delayRecovered: 'Delay back to normal',
  taskAbnormal: 'Task failed',
  dataException: 'Data exception',
  taskAutoStopped: 'Task stopped automatically',
  slotWalRetention: 'WAL retained by the slot',
  sourceTable: 'Source table changed',
  fullSyncFinished: 'Full synchronization finished',
  fullSyncFailed: 'Full synchronization failed',
  test: 'Channel test',
};

export const SEVERITY_TEXT: Record<NotificationSeverityName, string> = { critical: 'Critical', warning: 'Warning', info: 'Information' };

/** The lowest-severity choice of a channel, as its option reads. */
export const MIN_SEVERITY_TEXT: Record<NotificationSeverityName, string> = {
  info: 'Everything (information and up)',
  warning: 'Warnings and critical',
  critical: 'Critical only',
};

/** "Every kind, warnings and critical": what a channel is sent, in one line. */
export function channelSendsText(c: Pick<NotificationChannelView, 'kinds' | 'minSeverity'>): string {
  const kinds = !c.kinds ? 'every kind' : c.kinds.length === 1 ? KIND_TEXT[c.kinds[0]].toLowerCase() : `${c.kinds.length} kinds`;
  const severity = c.minSeverity === 'info' ? '' : c.minSeverity === 'warning' ? ', warnings and critical' : ', critical only';
  return `${kinds[0].toUpperCase()}${kinds.slice(1)}${severity}`;
}
