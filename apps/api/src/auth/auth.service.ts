import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AppConfig } from '@walbridge/config';
import type { ChangePasswordInput, LoginInput, LoginResult, MeView } from '@walbridge/contracts';
import { DomainError } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { ApiTokenRepository, UserRepository, UserSessionRepository, type UserEntity } from '@walbridge/persistence';
import { AuditService } from '../audit/audit.service';
import { LoginRateLimiter, type LoginAttempt } from './login-rate-limiter';
import { PasswordCheckGate } from './password-check-gate';
import { hashPassword, verifyPassword } from './password-hasher';
import type { Principal } from './principal';
import { API_TOKEN_PREFIX, SESSION_TOKEN_PREFIX, newSecretToken, tokenHash } from './secret-token';
import { SESSION_COOKIE } from './session-cookie';

const INVALID_CREDENTIALS = 'invalid username or password';
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const MAX_TOKEN_LENGTH = 128;
const UNKNOWN_USER = { userId: null, username: '(unknown user)', role: null };

@Injectable()
export class AuthService {
  /** Compared against when the user does not exist, so both cases take as long. */
  private readonly decoyHash = hashPassword(newSecretToken('decoy'));
  private readonly sessionTtlMs: number;
  private readonly gate: PasswordCheckGate;
  private readonly idleMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UserRepository,
    private readonly sessions: UserSessionRepository,
    private readonly tokens: ApiTokenRepository,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
  ) {
    this.sessionTtlMs = config.WALBRIDGE_SESSION_TTL_MINUTES * 60_000;
    this.idleMs = config.WALBRIDGE_SESSION_IDLE_MINUTES * 60_000;
    this.gate = new PasswordCheckGate(config.WALBRIDGE_PASSWORD_CHECKS, config.WALBRIDGE_PASSWORD_CHECK_QUEUE);
  }

  get sessionMaxAgeMs(): number {
    return this.sessionTtlMs;
  }

  /** Checks the password and opens a session; every attempt is audited, with its outcome. */
  async login(input: LoginInput, req: Request): Promise<LoginResult> {
    const username = input.username.trim().toLowerCase();
    const address = req.ip ?? 'unknown';
    const user = await this.users.findByUsername(username);
    // Only a name that exists is written to the audit trail: a password typed into the
    // user name field must not end up there.
    const actor = user ? { userId: user.id, username: user.username, role: user.role } : UNKNOWN_USER;
    let attempt: LoginAttempt | undefined;
    let matches: boolean;
    try {
      attempt = await this.limiter.begin(address, username);
      matches = await this.checkPassword(attempt, input.password, user?.passwordHash);
    } catch (error) {
      await attempt?.end();
      const status = error instanceof DomainError && error.kind === 'unavailable' ? 503 : 429;
      await this.audit.recordRequest(req, { statusCode: status, error: (error as Error).message, actor });
      throw error;
    }
    if (!user || !matches) {
      await attempt.end();
      await this.audit.recordRequest(req, { statusCode: 401, result: 'failure', error: INVALID_CREDENTIALS, actor });
      throw new DomainError('unauthenticated', 'INVALID_CREDENTIALS', INVALID_CREDENTIALS);
    }
    await attempt.succeeded();
    await attempt.end();
    const token = newSecretToken(SESSION_TOKEN_PREFIX);
    const expiresAt = new Date(Date.now() + this.sessionTtlMs);
    await this.sessions.insert(tokenHash(token), user.id, expiresAt);
    await this.users.update(user.id, { lastLoginAt: new Date() });
    void this.sessions.purgeExpired().catch(() => undefined);
    await this.audit.recordRequest(req, { statusCode: 200, actor });
    return { token, expiresAt: expiresAt.toISOString(), user: { id: user.id, username: user.username, role: user.role, authenticatedBy: 'session' } };
  }

  /** Ends the session the request came with; an API token stays valid (revoke it instead). */
  async logout(principal: Principal): Promise<void> {
    if (principal.authenticatedBy === 'session') await this.sessions.delete(principal.credentialId);
  }

  /**
   * Changes the caller's own password and ends their other sessions. Wrong current passwords
   * count as failed logins: a stolen session must not become a way to guess the password.
   */
  async changePassword(principal: Principal, input: ChangePasswordInput, address = 'unknown'): Promise<void> {
    const user = await this.users.findById(principal.userId);
    const attempt = await this.limiter.begin(address, principal.username);
    let matches: boolean;
    try {
      matches = await this.checkPassword(attempt, input.currentPassword, user?.passwordHash);
      if (matches) await attempt.succeeded();
    } finally {
      await attempt.end();
    }
    if (!user || !matches) {
      throw new DomainError('invalid', 'WRONG_PASSWORD', 'the current password is wrong', [
        { field: 'currentPassword', message: 'does not match' },
      ]);
    }
    await this.users.update(user.id, { passwordHash: await hashPassword(input.newPassword) });
    await this.sessions.deleteForUser(user.id, principal.authenticatedBy === 'session' ? principal.credentialId : undefined);
  }

  /**
   * One password check: counted first (so a burst gets no more checks than the limit), then
   * scrypt through the gate that bounds concurrent checks (503 when it is full, before counting).
   */
  private checkPassword(attempt: LoginAttempt, password: string, hash: string | undefined): Promise<boolean> {
    return this.gate.run(async () => {
      await attempt.consume();
      return verifyPassword(password, hash ?? (await this.decoyHash));
    });
  }

  me(principal: Principal): MeView {
    return { id: principal.userId, username: principal.username, role: principal.role, authenticatedBy: principal.authenticatedBy };
  }

  /**
   * The caller, from `Authorization: Bearer <token>` (an API token or a session token) or else
   * the session cookie; null when neither is valid. A bad Authorization header is not rescued
   * by a cookie: what the client sent explicitly is what counts.
   */
  async authenticate(req: Request): Promise<Principal | null> {
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header !== undefined) {
      token = BEARER.exec(header)?.[1];
    } else {
      const cookie = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
      token = typeof cookie === 'string' ? cookie : undefined;
    }
    if (!token || token.length > MAX_TOKEN_LENGTH) return null;
    const hash = tokenHash(token);
    if (token.startsWith(SESSION_TOKEN_PREFIX)) {
      const user = await this.sessions.findUser(hash, this.idleMs);
      return user ? principalOf(user, 'session', hash) : null;
    }
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const apiToken = await this.tokens.findValid(hash);
      if (!apiToken?.user) return null;
      void this.tokens.touch(apiToken.id).catch(() => undefined);
      return principalOf(apiToken.user, 'token', apiToken.id);
    }
    return null;
  }
}

function principalOf(user: UserEntity, authenticatedBy: Principal['authenticatedBy'], credentialId: string): Principal {
  return { userId: user.id, username: user.username, role: user.role, authenticatedBy, credentialId };
}
