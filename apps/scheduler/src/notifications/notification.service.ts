import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { AppConfig } from '@walbridge/config';
import type { NotificationKindName, TaskConfig } from '@walbridge/contracts';
import { channelTakes, describeNotification, type NotificationInput, type NotificationKind } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { NotificationChannelRepository, NotificationRepository, TaskLogRepository, type TaskEntity } from '@walbridge/persistence';
import { NotificationJob, QueueName, deliveryJobOptions, withProtocol, type NotificationPayloads } from '@walbridge/queue';

// The domain's notification kinds and the contracts' (what the console knows) are one list.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const KINDS_AGREE: Same<NotificationKind, NotificationKindName> = true;

/**
 * Turns an event into a notification: one inbox entry (always), and a delivery per channel the
 * task chose (`alarms.notify` and `alarms.channelIds`) that takes its kind and severity (the
 * channel's `kinds` and `minSeverity`), each retried by the notifications queue.
 * The dedupe key names the event, so it is notified once however many times it is reported.
 */
@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notifications: NotificationRepository,
    private readonly channels: NotificationChannelRepository,
    private readonly logs: TaskLogRepository,
    @InjectQueue(QueueName.Notifications) private readonly queue: Queue<NotificationPayloads[NotificationJob.Deliver]>,
  ) {}

  /** Returns false when the event was notified already. */
  async notify(task: TaskEntity, input: NotificationInput, dedupeKey: string): Promise<boolean> {
    const text = describeNotification({ id: task.id, name: task.name }, input);
    const alarms = (task.config as unknown as TaskConfig).alarms;
    const chosen = alarms?.notify ? await this.channels.findByIds(alarms.channelIds ?? []) : [];
    // Each channel also chose what it is sent (kinds, lowest severity): the inbox always gets it.
    const channels = chosen.filter((c) => c.enabled && channelTakes(c.config, text.kind, text.severity));
    const id = randomUUID();
    const deliveries = channels.map((c) => ({
      id: randomUUID(),
      notificationId: id,
      channelId: c.id,
      channelName: c.name,
      channelType: c.type,
      status: 'pending' as const,
      attempts: 0,
      lastError: null,
      deliveredAt: null,
      log: [],
    }));
    const saved = await this.notifications.insertOnce(
      {
        id,
        taskId: task.id,
        taskName: task.name,
        kind: text.kind,
        severity: text.severity,
        title: text.title.slice(0, 500),
        message: text.message,
        runbook: text.runbook,
        figures: text.figures,
        dedupeKey: dedupeKey.slice(0, 200),
      },
      deliveries,
    );
    if (!saved) return false;
    for (const delivery of deliveries) await this.enqueue(delivery.id);
    const where = ['inbox', ...channels.map((c) => `${c.type} ${c.name}`)].join(', ');
    await this.logs.append(task.id, text.severity === 'info' ? 'info' : 'warning', `notified (${where}): ${text.title}`);
    this.logger.log(`notification ${id} (${text.kind}) for task ${task.id}: ${deliveries.length} delivery(ies)`);
    return true;
  }

  /** One delivery job per delivery row (its id is the job id, so enqueuing twice is harmless). */
  async enqueue(deliveryId: string): Promise<void> {
    await this.queue.add(
      NotificationJob.Deliver,
      withProtocol({ deliveryId }),
      deliveryJobOptions({ attempts: this.config.WALBRIDGE_NOTIFY_ATTEMPTS, retryMs: this.config.WALBRIDGE_NOTIFY_RETRY_MS }, deliveryId),
    );
  }
}
