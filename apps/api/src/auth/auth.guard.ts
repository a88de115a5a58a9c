import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { hasRole, type Role } from '@walbridge/contracts';
import type { AppConfig } from '@walbridge/config';
import { DomainError, defaultRoleFor } from '@walbridge/domain';
import { APP_CONFIG } from '@walbridge/nest-common';
import { AuditService } from '../audit/audit.service';
import { crossSiteRefusal } from '../common/cross-site-request.middleware';
import { ANY_ORIGIN, IS_PUBLIC, REQUIRED_ROLE } from './access.decorators';
import { AuthService } from './auth.service';

/**
 * The one gate of the API, registered globally: every route needs a session or an API token
 * unless marked @Public(), and the role its @Roles() names, or by default viewer to read and
 * operator to change. Routes added later are covered without doing anything.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.allowedOrigins = new Set([...config.WALBRIDGE_ALLOWED_ORIGINS, ...config.WALBRIDGE_CORS_ORIGINS].map((o) => new URL(o).origin));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const principal = await this.auth.authenticate(req);
    if (!principal) {
      throw new DomainError('unauthenticated', 'AUTHENTICATION_REQUIRED', 'log in, or send an API token as "Authorization: Bearer <token>"');
    }
    req.principal = principal;
    // CSRF: a session cookie is sent by the browser whoever's page asks (issue 14 item 2).
    const anyOrigin = this.reflector.getAllAndOverride<boolean>(ANY_ORIGIN, targets);
    const crossSite = principal.authenticatedBy === 'session' && !anyOrigin ? crossSiteRefusal(req, this.allowedOrigins) : null;
    if (crossSite) {
      await this.audit.recordRequest(req, { statusCode: 403, error: crossSite });
      throw new DomainError('forbidden', 'CROSS_SITE_REQUEST', crossSite);
    }
    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? defaultRoleFor(req.method);
    if (!hasRole(principal.role, required)) {
      const message = `this needs the ${required} role; ${principal.username} is ${principal.role}`;
      await this.audit.recordRequest(req, { statusCode: 403, error: message });
      throw new DomainError('forbidden', 'FORBIDDEN', message);
    }
    return true;
  }
}
