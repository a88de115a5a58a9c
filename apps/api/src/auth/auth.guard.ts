import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { hasRole, type Role } from '@walbridge/contracts';
import { DomainError, defaultRoleFor } from '@walbridge/domain';
import { AuditService } from '../audit/audit.service';
import { IS_PUBLIC, REQUIRED_ROLE } from './access.decorators';
import { AuthService } from './auth.service';

/**
 * The one gate of the API, registered globally: every route needs a session or an API token
 * unless marked @Public(), and the role its @Roles() names, or by default viewer to read and
 * operator to change. Routes added later are covered without doing anything.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

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
    const required = this.reflector.getAllAndOverride<Role>(REQUIRED_ROLE, targets) ?? defaultRoleFor(req.method);
    if (!hasRole(principal.role, required)) {
      const message = `this needs the ${required} role; ${principal.username} is ${principal.role}`;
      await this.audit.recordRequest(req, { statusCode: 403, error: message });
      throw new DomainError('forbidden', 'FORBIDDEN', message);
    }
    return true;
  }
}
