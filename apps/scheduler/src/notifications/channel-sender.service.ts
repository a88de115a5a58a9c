import { Inject, Injectable } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { AppConfig } from '@walbridge/config';
import type { ChannelTestResult } from '@walbridge/contracts';
import { WEBHOOK_SIGNATURE_HEADER, redactSecrets, webhookSignature, type NotificationText } from '@walbridge/domain';
import { OutboundPolicy } from '@walbridge/connectors';
import { APP_CONFIG } from '@walbridge/nest-common';
import { SecretsService, type ChannelSecrets, type NotificationChannelEntity } from '@walbridge/persistence';

/** A notification as it leaves Walbridge; the webhook body is this object as JSON. */
export interface OutgoingNotification extends NotificationText {
  id: string;
  createdAt: Date;
  task: { id: string; name: string } | null;
  /** Same for every retry of one delivery: receivers can drop duplicates by it. */
  deliveryId: string;
}

export type SendResult = ChannelTestResult;

/**
 * Sends one notification to one channel, once: retries are the delivery queue's business.
 * Never throws; the result says what happened in words fit for the delivery log (no secrets).
 */
@Injectable()
export class ChannelSender {
  private readonly outbound: OutboundPolicy;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vault: SecretsService,
  ) {
    this.outbound = new OutboundPolicy(config.WALBRIDGE_OUTBOUND_DENY);
  }

  async send(channel: NotificationChannelEntity, notification: OutgoingNotification): Promise<SendResult> {
    const secrets: ChannelSecrets = this.vault.openChannel(channel);
    const started = Date.now();
    try {
      const host = channel.type === 'webhook' ? new URL(channel.config.url!).hostname : channel.config.smtp?.host ?? smtpUrlHost(this.config.WALBRIDGE_SMTP_URL);
      const refused = host ? await this.outbound.refusal(host) : null;
      if (refused) return { ok: false, detail: refused, statusCode: null, durationMs: Date.now() - started };
      const result = channel.type === 'webhook' ? await this.webhook(channel, secrets, notification) : await this.email(channel, secrets, notification);
      return { ...result, durationMs: Date.now() - started };
    } catch (error) {
      const detail = redactSecrets(describeError(error), [secrets.secret, secrets.smtpPassword, smtpUrlPassword(this.config.WALBRIDGE_SMTP_URL)]);
      return { ok: false, detail, statusCode: null, durationMs: Date.now() - started };
    }
  }

  private async webhook(channel: NotificationChannelEntity, secrets: ChannelSecrets, n: OutgoingNotification): Promise<Omit<SendResult, 'durationMs'>> {
    const body = JSON.stringify(webhookBody(n));
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Walbridge-Webhook/1',
      'x-walbridge-event': n.kind,
      'x-walbridge-delivery': n.deliveryId,
      'x-walbridge-timestamp': String(timestamp),
    };
    if (secrets.secret) headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] = webhookSignature(secrets.secret, body, timestamp);
    // Redirects are not followed: the signed body is meant for the configured URL only.
    const response = await fetch(channel.config.url!, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.config.WALBRIDGE_NOTIFY_TIMEOUT_MS) });
    // The status only: an answer's body could be an internal service's page (issue 14 item 6).
    await response.body?.cancel().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return { ok, statusCode: response.status, detail: `HTTP ${response.status}` };
  }

  private async email(channel: NotificationChannelEntity, secrets: ChannelSecrets, n: OutgoingNotification): Promise<Omit<SendResult, 'durationMs'>> {
    const smtp = channel.config.smtp;
    const timeout = { connectionTimeout: this.config.WALBRIDGE_NOTIFY_TIMEOUT_MS, greetingTimeout: this.config.WALBRIDGE_NOTIFY_TIMEOUT_MS, socketTimeout: this.config.WALBRIDGE_NOTIFY_TIMEOUT_MS };
    let transport: ReturnType<typeof createTransport>;
    if (smtp) {
      transport = createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.security === 'tls',
        requireTLS: smtp.security === 'starttls',
        ignoreTLS: smtp.security === 'none',
        auth: smtp.username ? { user: smtp.username, pass: secrets.smtpPassword ?? '' } : undefined,
        tls: { rejectUnauthorized: smtp.verifyCertificate },
        ...timeout,
      });
    } else if (this.config.WALBRIDGE_SMTP_URL) {
      const url = new URL(this.config.WALBRIDGE_SMTP_URL);
      const secure = url.protocol === 'smtps:';
      transport = createTransport({
        host: url.hostname,
        port: Number(url.port) || (secure ? 465 : 587),
        secure,
        auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
        ...timeout,
      });
    } else {
      return { ok: false, statusCode: null, detail: 'no SMTP server: give the channel its smtp settings, or set WALBRIDGE_SMTP_URL on the schedulers' };
    }
    try {
      const info = await transport.sendMail({
        from: smtp?.from ?? this.config.WALBRIDGE_SMTP_FROM,
        to: channel.config.to,
        subject: `[Walbridge] ${n.title}`,
        text: emailText(n),
        headers: { 'X-Walbridge-Notification': n.id, 'X-Walbridge-Event': n.kind, 'X-Walbridge-Delivery': n.deliveryId },
      });
      const response = String(info.response ?? 'accepted');
      const code = Number.parseInt(response, 10);
      // The reply code only: the server's text is not ours to echo.
      return { ok: true, statusCode: Number.isFinite(code) ? code : null, detail: Number.isFinite(code) ? `${code} accepted` : 'accepted' };
    } finally {
      transport.close();
    }
  }
}

export function webhookBody(n: OutgoingNotification) {
  return {
    id: n.id,
    type: n.kind,
    severity: n.severity,
    createdAt: n.createdAt.toISOString(),
    task: n.task,
    title: n.title,
    message: n.message,
    runbook: n.runbook,
    figures: n.figures,
    test: n.kind === 'test',
  };
}

function emailText(n: OutgoingNotification): string {
  const figures = Object.entries(n.figures)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `  ${k}: ${v}`)
    .join('\n');
  return [
    n.message,
    '',
    'What to do:',
    n.runbook,
    '',
    'Figures:',
    figures,
    '',
    n.task ? `Task: ${n.task.name} (${n.task.id})` : '',
    `Notification ${n.id}, ${n.createdAt.toISOString()}, severity ${n.severity}`,
    '-- ',
    'Walbridge',
  ].join('\n');
}

function smtpUrlHost(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
}

function smtpUrlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** fetch hides the reason in `cause` ("fetch failed"); nodemailer puts the SMTP reply in `response`. */
function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string }; code?: string; response?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time (timeout)';
  // Classified causes only (an errno, the SMTP reply code): a banner or error text of whatever
  // answered could be an internal service's, and would make this a port scanner.
  const responseCode = (error as { responseCode?: number }).responseCode;
  if (e?.cause?.code) return `connection failed: ${e.cause.code}`;
  if (e?.code && responseCode) return `${e.code} ${responseCode}${responseCode === 535 ? ' (authentication failed)' : ''}`;
  if (e?.code) return `${e.code}${e.code === 'EPROTOCOL' || e.code === 'EENVELOPE' ? ': not an SMTP server that accepts this mail' : ''}`;
  return 'failed (no classified cause)';
}
