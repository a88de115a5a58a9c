/** What a notification is about (PRODUCT.md §6); libs/domain notification-text words each one. */
export const NOTIFICATION_KINDS = ['delayAlarm', 'delayRecovered', 'taskAbnormal', 'dataException', 'taskAutoStopped', 'slotWalRetention', 'sourceTable', 'fullSyncFinished', 'fullSyncFailed', 'test'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];
