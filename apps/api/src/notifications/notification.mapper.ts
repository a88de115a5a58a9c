import type { NotificationDeliveryView, NotificationView } from '@walbridge/contracts';
import type { NotificationDeliveryEntity, NotificationWithRead } from '@walbridge/persistence';

export function toDeliveryView(d: NotificationDeliveryEntity): NotificationDeliveryView {
  return {
    id: d.id,
    channelId: d.channelId,
    channelName: d.channelName,
    channelType: d.channelType,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    log: d.log,
  };
}

export function toNotificationView(n: NotificationWithRead, deliveries: NotificationDeliveryEntity[]): NotificationView {
  return {
    id: n.id,
    kind: n.kind,
    severity: n.severity,
    task: n.taskId ? { id: n.taskId, name: n.taskName ?? '' } : null,
    title: n.title,
    message: n.message,
    runbook: n.runbook,
    figures: n.figures,
    createdAt: n.createdAt.toISOString(),
    read: n.read,
    deliveries: deliveries.filter((d) => d.notificationId === n.id).map(toDeliveryView),
  };
}
