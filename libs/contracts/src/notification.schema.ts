import { NOTIFICATION_KINDS, NOTIFICATION_SEVERITIES, type NotificationKind, type NotificationSeverity } from '@walbridge/vocabulary';
import { z } from 'zod';
import { FETCH_BLOCKED_PORTS, urlPort } from './blocked-ports';

/**
 * Notification channels and the inbox (PRODUCT.md §6 and §9). Secrets (the webhook signing
 * secret, the SMTP password) are write-only: views say only whether one is set.
 */
export type NotificationKindName = NotificationKind;
export type NotificationSeverityName = NotificationSeverity;
export const CHANNEL_TYPES = ['webhook', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const HOST_PATTERN = /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+|\[[0-9A-Fa-f:.]+\])$/;

const channelName = z
  .string({ required_error: 'name is required' })
  .trim()
  .min(1, 'name is required')
  .max(64, 'name must be at most 64 characters')
  .refine((v) => !CONTROL_CHARACTERS.test(v), 'name may not contain control characters');

const webhookUrl = z
  .string({ required_error: 'url is required' })
  .max(2048, 'url must be at most 2048 characters')
  .url('url must be an absolute http(s) URL')
  .refine((v) => /^https?:\/\//i.test(v), 'url must be an absolute http(s) URL')
  // Credentials in a URL end up in logs and proxies; the signature authenticates the sender.
  .refine((v) => !/^https?:\/\/[^/?#]*@/i.test(v), 'url may not contain a user name or password (user:pw@)')
  .superRefine((v, ctx) => {
    const port = urlPort(v);
    if (port !== null && FETCH_BLOCKED_PORTS.has(port)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `url port ${port} is one HTTP clients refuse to call (a port of another protocol, such as SMTP or SSH): use another port`,
      });
    }
  });

const webhookSecret = z
  .string({ required_error: 'secret is required: the webhook is signed with it (HMAC-SHA256)' })
  .min(16, 'secret must be at least 16 characters')
  .max(256, 'secret must be at most 256 characters');

const email = z.string().max(320, 'an address must be at most 320 characters').email('must be an e-mail address');

export const smtpSchema = z.object({
  host: z.string({ required_error: 'smtp.host is required' }).min(1, 'smtp.host is required').max(255).regex(HOST_PATTERN, 'smtp.host must be a host name or IP address'),
  port: z.number().int().min(1, 'smtp.port must be 1-65535').max(65535, 'smtp.port must be 1-65535').default(587),
  /** starttls: upgrade a plain connection (port 587); tls: TLS from the start (port 465); none: no encryption. */
  security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  username: z.string().min(1).max(256).optional(),
  password: z.string().min(1, 'smtp.password may not be empty').max(1024).optional(),
  from: email,
  verifyCertificate: z.boolean().default(true),
});

const recipients = z.array(email).min(1, 'to needs at least one address').max(20, 'to may hold at most 20 addresses');

/** What a channel is sent (its own choice, on top of the task's channel list): the kinds, and the lowest severity. */
const channelChoice = {
  /** Left out or null: every kind. The channel's own test is always sent. */
  kinds: z
    .array(z.enum(NOTIFICATION_KINDS, { errorMap: () => ({ message: `kinds holds some of ${NOTIFICATION_KINDS.join(', ')}` }) }))
    .min(1, 'kinds needs at least one kind (or null for every kind)')
    .nullable()
    .default(null),
  /** info: everything; warning: warnings and critical; critical: critical only. */
  minSeverity: z.enum(NOTIFICATION_SEVERITIES, { errorMap: () => ({ message: `minSeverity is one of ${NOTIFICATION_SEVERITIES.join(', ')}` }) }).default('info'),
};

export const createChannelSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('webhook'), name: channelName, enabled: z.boolean().default(true), url: webhookUrl, secret: webhookSecret, ...channelChoice }).strict(),
    // Without smtp, the schedulers' SMTP server (WALBRIDGE_SMTP_URL) sends it.
    z.object({ type: z.literal('email'), name: channelName, enabled: z.boolean().default(true), to: recipients, smtp: smtpSchema.optional(), ...channelChoice }).strict(),
  ],
  { errorMap: () => ({ message: 'type must be webhook or email' }) },
);

export type CreateChannelInput = z.input<typeof createChannelSchema>;
export type ChannelConfig = z.output<typeof createChannelSchema>;

/**
 * PATCH /notification-channels/{id}: a JSON merge patch on the channel (objects merge, values
 * replace; a secret left out is kept). The result is validated like a new channel.
 */
export const updateChannelSchema = z.record(z.unknown(), { invalid_type_error: 'the body must be a JSON object' });

export interface NotificationChannelView {
  id: string;
  type: ChannelType;
  name: string;
  enabled: boolean;
  /** The kinds it is sent; null: every kind. */
  kinds: NotificationKindName[] | null;
  /** The lowest severity it is sent. */
  minSeverity: NotificationSeverityName;
  /** webhook; for viewers without its path and query (`https://hooks.slack.com/[redacted]`), then urlRedacted */
  url?: string;
  urlRedacted?: boolean;
  secretSet?: boolean;
  /** email */
  to?: string[];
  /** null: the schedulers' SMTP server (WALBRIDGE_SMTP_URL). */
  smtp?: (Omit<z.output<typeof smtpSchema>, 'password'> & { passwordSet: boolean }) | null;
  createdAt: string;
  updatedAt: string;
}

/** What `POST /notification-channels/{id}/test` answers: one attempt, not retried. */
export interface ChannelTestResult {
  ok: boolean;
  /** "HTTP 200", "HTTP 503: …", "250 Accepted", or the error. */
  detail: string;
  statusCode: number | null;
  durationMs: number;
}

export interface DeliveryAttemptView {
  at: string;
  ok: boolean;
  detail: string;
  statusCode: number | null;
  durationMs: number;
}

/** One channel's delivery of a notification, with every attempt (the delivery log). */
export interface NotificationDeliveryView {
  id: string;
  channelId: string;
  channelName: string;
  channelType: ChannelType;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  log: DeliveryAttemptView[];
}

/** A channel's delivery history: each delivery with the notification it carried. */
export interface ChannelDeliveryView extends NotificationDeliveryView {
  createdAt: string;
  notification: { id: string; kind: NotificationKindName; severity: NotificationSeverityName; title: string; createdAt: string; task: { id: string; name: string } | null };
}

export interface NotificationView {
  id: string;
  kind: NotificationKindName;
  severity: NotificationSeverityName;
  task: { id: string; name: string } | null;
  title: string;
  /** What happened, with the figures in words. */
  message: string;
  /** What to do. */
  runbook: string;
  figures: Record<string, string | number | boolean | null>;
  createdAt: string;
  /** For the caller: each user has their own read marks. */
  read: boolean;
  deliveries: NotificationDeliveryView[];
}

export interface NotificationPage {
  items: NotificationView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Unread notifications of the caller, all of them (not only this page). */
  unreadCount: number;
}

export const notificationQuerySchema = z.object({
  unread: z.enum(['true', 'false'], { errorMap: () => ({ message: 'unread must be true or false' }) }).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
  taskId: z.string().uuid('taskId must be a UUID').optional(),
  kind: z.enum(NOTIFICATION_KINDS, { errorMap: () => ({ message: `kind must be one of ${NOTIFICATION_KINDS.join(', ')}` }) }).optional(),
  severity: z.enum(NOTIFICATION_SEVERITIES, { errorMap: () => ({ message: `severity must be one of ${NOTIFICATION_SEVERITIES.join(', ')}` }) }).optional(),
  cursor: z
    .string()
    .regex(/^\d{13}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'cursor must be the nextCursor of a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1, 'limit must be 1-200').max(200, 'limit must be 1-200').default(50),
});

export type NotificationQuery = z.output<typeof notificationQuerySchema>;
