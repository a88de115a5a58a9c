import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@walbridge/config';
import { APP_CONFIG } from '@walbridge/nest-common';
import { randomUUID } from 'node:crypto';
import type { CreateTokenInput, CreatedTokenView, TokenView } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { ApiTokenRepository, UserRepository, type ApiTokenEntity, type UserEntity } from '@walbridge/persistence';
import type { Principal } from '../auth/principal';
import { API_TOKEN_PREFIX, newSecretToken, shownPrefix, tokenHash } from '../auth/secret-token';

const DAY_MS = 86_400_000;

@Injectable()
export class TokenService {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly users: UserRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(): Promise<TokenView[]> {
    return (await this.tokens.list()).map((t) => toTokenView(t, t.user!));
  }

  /** The token is in this answer and nowhere else, ever: only its SHA-256 is kept. */
  async create(input: CreateTokenInput, caller: Principal): Promise<CreatedTokenView> {
    const owner = await this.users.findByUsername(input.username ?? caller.username);
    if (!owner) throw new DomainError('invalid', 'VALIDATION_FAILED', 'the request is invalid', [{ field: 'username', message: 'no such user' }]);
    const token = newSecretToken(API_TOKEN_PREFIX);
    const saved = await this.tokens.insert({
      id: randomUUID(),
      userId: owner.id,
      name: input.name,
      tokenHash: tokenHash(token),
      tokenPrefix: shownPrefix(token),
      // Without expiresInDays: WALBRIDGE_TOKEN_DEFAULT_DAYS (90; 0 = never), so a forgotten token does not live for ever.
      expiresAt: (() => {
        const days = input.expiresInDays ?? this.config.WALBRIDGE_TOKEN_DEFAULT_DAYS;
        return days ? new Date(Date.now() + days * DAY_MS) : null;
      })(),
    });
    return { ...toTokenView(saved, owner), token };
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.tokens.delete(id))) throw new DomainError('not-found', 'TOKEN_NOT_FOUND', `token ${id} not found`);
  }
}

function toTokenView(token: ApiTokenEntity, owner: UserEntity): TokenView {
  return {
    id: token.id,
    name: token.name,
    username: owner.username,
    role: owner.role,
    prefix: token.tokenPrefix,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}
