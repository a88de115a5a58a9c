import type { DataSource, Repository } from 'typeorm';
import type { DeliveryAttemptView, DeliveryStatus, NotificationKindName, NotificationSeverityName } from '@walbridge/contracts';
import { NotificationDeliveryEntity, NotificationEntity, NotificationReadEntity } from '../entities';

export type NewNotification = Omit<NotificationEntity, 'createdAt' | 'task'>;

export interface NotificationListQuery {
  userId: string;
  unread?: boolean;
  taskId?: string;
  kind?: NotificationKindName;
  severity?: NotificationSeverityName;
  /** Exclusive: older than this (created_at ms, id), newest first. */
  cursor?: { createdAt: Date; id: string };
  limit: number;
}

export interface NotificationWithRead extends NotificationEntity {
  read: boolean;
}

/** A delivery with what it delivers, for the delivery worker. */
export interface DeliveryContext {
  delivery: NotificationDeliveryEntity;
  notification: NotificationEntity;
}

/** Notifications, per-user read marks and the delivery log. */
export class NotificationRepository {
  private readonly notifications: Repository<NotificationEntity>;
  private readonly reads: Repository<NotificationReadEntity>;
  private readonly deliveries: Repository<NotificationDeliveryEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.notifications = dataSource.getRepository(NotificationEntity);
    this.reads = dataSource.getRepository(NotificationReadEntity);
    this.deliveries = dataSource.getRepository(NotificationDeliveryEntity);
  }

  /**
   * Stores a notification with its deliveries (pending), in one transaction. Returns null, and
   * stores nothing, when a notification with the same dedupe key exists: the event was notified.
   */
  async insertOnce(notification: NewNotification, deliveries: Omit<NotificationDeliveryEntity, 'notification' | 'createdAt' | 'updatedAt'>[]): Promise<NotificationEntity | null> {
    return this.dataSource.transaction(async (em) => {
      const result = await em
        .createQueryBuilder()
        .insert()
        .into(NotificationEntity)
        .values(notification)
        .orIgnore()
        .returning('*')
        .execute();
      if (!result.raw?.length) return null;
      if (deliveries.length) await em.getRepository(NotificationDeliveryEntity).insert(deliveries);
      return em.getRepository(NotificationEntity).findOneOrFail({ where: { id: notification.id } });
    });
  }

  async list(query: NotificationListQuery): Promise<{ items: NotificationWithRead[]; nextCursor: string | null }> {
    const qb = this.notifications
      .createQueryBuilder('n')
      .leftJoin(NotificationReadEntity, 'r', 'r.notification_id = n.id AND r.user_id = :userId', { userId: query.userId })
      .addSelect('r.read_at IS NOT NULL', 'is_read');
    if (query.unread === true) qb.andWhere('r.read_at IS NULL');
    if (query.unread === false) qb.andWhere('r.read_at IS NOT NULL');
    if (query.taskId) qb.andWhere('n.task_id = :taskId', { taskId: query.taskId });
    if (query.kind) qb.andWhere('n.kind = :kind', { kind: query.kind });
    if (query.severity) qb.andWhere('n.severity = :severity', { severity: query.severity });
    if (query.cursor) qb.andWhere('(n.created_at, n.id) < (:cursorAt, :cursorId)', { cursorAt: query.cursor.createdAt, cursorId: query.cursor.id });
    const { entities, raw } = await qb
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(query.limit + 1)
      .getRawAndEntities();
    const items = entities.map((n, i) => Object.assign(n, { read: raw[i]?.is_read === true }));
    const more = items.length > query.limit;
    if (more) items.pop();
    const last = items[items.length - 1];
    return { items, nextCursor: more ? `${last.createdAt.getTime()}:${last.id}` : null };
  }

  async findForUser(id: string, userId: string): Promise<NotificationWithRead | null> {
    const notification = await this.notifications.findOne({ where: { id } });
    if (!notification) return null;
    const read = await this.reads.exist({ where: { notificationId: id, userId } });
    return Object.assign(notification, { read });
  }

  async unreadCount(userId: string): Promise<number> {
    const rows = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM notification n
       WHERE NOT EXISTS (SELECT 1 FROM notification_read r WHERE r.notification_id = n.id AND r.user_id = $1)`,
      [userId],
    );
    return rows[0].n;
  }

  async markRead(id: string, userId: string): Promise<void> {
    await this.reads.createQueryBuilder().insert().values({ notificationId: id, userId }).orIgnore().execute();
  }

  /** Marks every notification (of a task, if given) read for the user; returns how many were unread. */
  async markAllRead(userId: string, taskId?: string): Promise<number> {
    const rows = await this.dataSource.query(
      `INSERT INTO notification_read (notification_id, user_id)
       SELECT n.id, $1 FROM notification n
       WHERE ($2::uuid IS NULL OR n.task_id = $2)
         AND NOT EXISTS (SELECT 1 FROM notification_read r WHERE r.notification_id = n.id AND r.user_id = $1)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [userId, taskId ?? null],
    );
    return rows.length;
  }

  /** A channel's deliveries, newest first, each with its notification (the channel's delivery history). */
  deliveriesOfChannel(channelId: string, limit: number): Promise<(NotificationDeliveryEntity & { notification: NotificationEntity })[]> {
    return this.deliveries
      .createQueryBuilder('d')
      .innerJoinAndSelect('d.notification', 'n')
      .where('d.channel_id = :channelId', { channelId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit)
      .getMany() as Promise<(NotificationDeliveryEntity & { notification: NotificationEntity })[]>;
  }

  /**
   * A failed delivery of this channel goes back to pending for one more round of attempts;
   * false when there is no such delivery or it is not failed (delivered, or still being tried).
   */
  async requeueFailed(channelId: string, deliveryId: string): Promise<boolean> {
    const result = await this.deliveries
      .createQueryBuilder()
      .update()
      .set({ status: 'pending' })
      .where('id = :deliveryId AND channel_id = :channelId AND status = :failed', { deliveryId, channelId, failed: 'failed' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  findDelivery(channelId: string, deliveryId: string): Promise<NotificationDeliveryEntity | null> {
    return this.deliveries.findOne({ where: { id: deliveryId, channelId } });
  }

  deliveriesOf(notificationIds: string[]): Promise<NotificationDeliveryEntity[]> {
    if (!notificationIds.length) return Promise.resolve([]);
    return this.deliveries
      .createQueryBuilder('d')
      .where('d.notification_id IN (:...ids)', { ids: notificationIds })
      .orderBy('d.created_at', 'ASC')
      .addOrderBy('d.channel_name', 'ASC')
      .getMany();
  }

  async deliveryContext(deliveryId: string): Promise<DeliveryContext | null> {
    const delivery = await this.deliveries.findOne({ where: { id: deliveryId } });
    if (!delivery) return null;
    const notification = await this.notifications.findOne({ where: { id: delivery.notificationId } });
    return notification ? { delivery, notification } : null;
  }

  /** Appends an attempt to the delivery log and sets the delivery's status, atomically. */
  async recordAttempt(deliveryId: string, attempt: DeliveryAttemptView, status: DeliveryStatus): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_delivery
       SET log = log || $2::jsonb, attempts = attempts + 1, status = $3, updated_at = now(),
           last_error = CASE WHEN $4 THEN NULL ELSE $5 END,
           delivered_at = CASE WHEN $4 THEN now() ELSE delivered_at END
       WHERE id = $1`,
      [deliveryId, JSON.stringify([attempt]), status, attempt.ok, attempt.detail],
    );
  }

  /** A delivery that cannot be attempted at all (its channel was deleted or disabled). */
  async abandon(deliveryId: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE notification_delivery SET status = 'failed', last_error = $2, updated_at = now() WHERE id = $1`, [deliveryId, reason]);
  }

  /** Deliveries never attempted although created before `before`: their job was lost (Redis down when enqueued). */
  async staleDeliveryIds(before: Date, limit: number): Promise<string[]> {
    const rows = await this.dataSource.query(
      `SELECT id FROM notification_delivery WHERE status = 'pending' AND attempts = 0 AND created_at < $1 ORDER BY created_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((r: { id: string }) => r.id);
  }

  /** Deletes notifications older than `before` (their read marks and deliveries go with them). */
  async purgeOlderThan(before: Date, batch: number): Promise<number> {
    const result = await this.dataSource.query(`DELETE FROM notification WHERE id IN (SELECT id FROM notification WHERE created_at < $1 LIMIT $2)`, [before, batch]);
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}
