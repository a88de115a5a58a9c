import type { ChannelConfig, NotificationChannelView } from '@walbridge/contracts';
import { redactUrlPath } from '@walbridge/domain';
import type { ChannelSecrets, NotificationChannelEntity, StoredChannelConfig } from '@walbridge/persistence';

/** A validated channel split into what is stored in clear and what is sealed. */
export function splitChannel(input: ChannelConfig): { config: StoredChannelConfig; secrets: ChannelSecrets } {
  const choice = { kinds: input.kinds, minSeverity: input.minSeverity };
  if (input.type === 'webhook') return { config: { url: input.url, ...choice }, secrets: { secret: input.secret } };
  if (!input.smtp) return { config: { to: input.to, ...choice }, secrets: {} };
  const { password, ...smtp } = input.smtp;
  return { config: { to: input.to, smtp, ...choice }, secrets: password ? { smtpPassword: password } : {} };
}

/** The channel as a PATCH applies to it: everything, secrets included (in memory only). */
export function editableChannel(channel: NotificationChannelEntity, secrets: ChannelSecrets): Record<string, unknown> {
  const base = { type: channel.type, name: channel.name, enabled: channel.enabled, kinds: channel.config.kinds ?? null, minSeverity: channel.config.minSeverity ?? 'info' };
  if (channel.type === 'webhook') return { ...base, url: channel.config.url, secret: secrets.secret };
  if (!channel.config.smtp) return { ...base, to: channel.config.to };
  return { ...base, to: channel.config.to, smtp: { ...channel.config.smtp, ...(secrets.smtpPassword ? { password: secrets.smtpPassword } : {}) } };
}

/**
 * The channel as a response shows it. Without `endpointSecrets` (viewers), a webhook URL loses
 * its path and query: Slack-style URLs carry their credential there.
 */
export function toChannelView(channel: NotificationChannelEntity, secretsSet: { secret: boolean; smtpPassword: boolean }, endpointSecrets: boolean): NotificationChannelView {
  const base = {
    id: channel.id,
    type: channel.type,
    name: channel.name,
    enabled: channel.enabled,
    kinds: channel.config.kinds ?? null,
    minSeverity: channel.config.minSeverity ?? ('info' as const),
    createdAt: channel.createdAt.toISOString(), updatedAt: channel.updatedAt.toISOString() };
  if (channel.type === 'webhook') {
    const url = channel.config.url!;
    const shown = endpointSecrets ? url : redactUrlPath(url);
    return { ...base, url: shown, ...(shown !== url ? { urlRedacted: true } : {}), secretSet: secretsSet.secret };
  }
  return { ...base, to: channel.config.to, smtp: channel.config.smtp ? { ...channel.config.smtp, passwordSet: secretsSet.smtpPassword } : null };
}
