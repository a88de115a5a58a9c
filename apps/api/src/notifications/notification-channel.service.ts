import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createChannelSchema, type ChannelConfig, type ChannelTestResult, type NotificationChannelView } from '@walbridge/contracts';
import { DomainError, applyMergePatch, seesEndpointSecrets, type AccessRole } from '@walbridge/domain';
import { NotificationChannelRepository, SecretsService, type ChannelSecrets, type NotificationChannelEntity } from '@walbridge/persistence';
import { assertCredentialsFollowEndpoint } from '../common/credential-endpoint.rule';
import { invalidRequest, unstorable, zodProblems } from '../common/zod-body.pipe';
import { editableChannel, splitChannel, toChannelView } from './notification-channel.mapper';
import { NotificationQueueClient } from './notification-queue.client';

/**
 * Channel CRUD (PRODUCT.md §9 /notification-channels). Secrets are sealed with the master key,
 * bound to the channel id, and never returned: views say `secretSet` / `smtp.passwordSet`.
 */
@Injectable()
export class NotificationChannelService {
  constructor(
    private readonly channels: NotificationChannelRepository,
    private readonly vault: SecretsService,
    private readonly queue: NotificationQueueClient,
  ) {}

  /** `role`: the caller's; viewers see webhook URLs without their path and query. */
  async list(role: AccessRole): Promise<NotificationChannelView[]> {
    return (await this.channels.list()).map((c) => this.view(c, role));
  }

  async get(id: string, role: AccessRole): Promise<NotificationChannelView> {
    return this.view(await this.load(id), role);
  }

  async create(input: ChannelConfig): Promise<NotificationChannelView> {
    await this.assertNameFree(input.name);
    const id = randomUUID();
    const { config, secrets } = splitChannel(input);
    const channel = await this.channels.insert({
      id,
      type: input.type,
      name: input.name,
      enabled: input.enabled,
      config,
      secrets: this.vault.sealChannel({ id, config }, secrets),
    });
    return this.view(channel);
  }

  /** JSON merge patch on the channel; the result is validated like a new one. A secret left out is kept. */
  async update(id: string, patch: Record<string, unknown>): Promise<NotificationChannelView> {
    const channel = await this.load(id);
    if ('type' in patch && patch.type !== channel.type) {
      throw invalidRequest([{ field: 'type', message: 'the type of a channel cannot change: create a new channel' }]);
    }
    const bad = unstorable(patch);
    if (bad.length) throw invalidRequest(bad);
    const merged = applyMergePatch(editableChannel(channel, this.secretsOf(channel)), patch);
    const parsed = createChannelSchema.safeParse(merged);
    if (!parsed.success) throw invalidRequest(zodProblems(parsed.error));
    if (parsed.data.name !== channel.name) await this.assertNameFree(parsed.data.name, id);
    const { config, secrets } = splitChannel(parsed.data);
    const given = patch as { smtp?: { password?: unknown } | null };
    assertCredentialsFollowEndpoint([
      { kind: 'smtp', field: 'smtp.password', before: channel.config.smtp, after: config.smtp, stored: !!this.secretsOf(channel).smtpPassword && !!config.smtp, given: given.smtp?.password !== undefined },
    ]);
    await this.channels.update(id, {
      name: parsed.data.name,
      enabled: parsed.data.enabled,
      config,
      secrets: this.vault.sealChannel({ id, config }, secrets),
    });
    return this.get(id, 'operator');
  }

  /** Deliveries still pending for it are given up (their log says the channel was deleted). */
  async delete(id: string): Promise<void> {
    if (!(await this.channels.delete(id))) throw notFound(id);
  }

  async test(id: string): Promise<ChannelTestResult> {
    await this.load(id);
    const result = await this.queue.testChannel(id);
    if (!result) throw notFound(id);
    return result;
  }

  private async load(id: string): Promise<NotificationChannelEntity> {
    const channel = await this.channels.findById(id);
    if (!channel) throw notFound(id);
    return channel;
  }

  private secretsOf(channel: NotificationChannelEntity): ChannelSecrets {
    return this.vault.openChannel(channel);
  }

  /** Changes and tests need an operator, who may see the whole URL: the default. */
  private view(channel: NotificationChannelEntity, role: AccessRole = 'operator'): NotificationChannelView {
    const secrets = this.secretsOf(channel);
    return toChannelView(channel, { secret: !!secrets.secret, smtpPassword: !!secrets.smtpPassword }, seesEndpointSecrets(role));
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    if (await this.channels.nameTaken(name, exceptId)) throw invalidRequest([{ field: 'name', message: `a channel named ${name} exists already` }]);
  }
}

function notFound(id: string): DomainError {
  return new DomainError('not-found', 'CHANNEL_NOT_FOUND', `notification channel ${id} not found`);
}
