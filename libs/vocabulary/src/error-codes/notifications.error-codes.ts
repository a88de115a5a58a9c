/** Notification channels, the notification centre and test sends. */
export const NOTIFICATIONS_ERROR_CODES = ['CHANNEL_NOT_FOUND', 'CHANNEL_DISABLED', 'DELIVERY_NOT_FOUND', 'DELIVERY_NOT_FAILED', 'NOTIFICATION_NOT_FOUND', 'NOTIFY_FAILED', 'NOTIFY_TIMEOUT'] as const;
