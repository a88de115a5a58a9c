import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable, catchError, from, mergeMap, throwError } from 'rxjs';
import { isReadMethod } from '@walbridge/domain';
import { SKIP_AUDIT } from '../auth/access.decorators';
import { runAs } from '../auth/request-context';
import { toErrorBody } from '../common/api-exception.filter';
import { AuditService } from './audit.service';

/**
 * Global: records every call that may change something (anything but GET/HEAD/OPTIONS) with
 * its outcome, once the handler is done, before the answer leaves. Also runs the handler with
 * the caller known to `currentActor()`, so task logs and jobs say who asked.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const handled = req.principal ? withActor(req, next) : next.handle();
    const skip = isReadMethod(req.method) || this.reflector.getAllAndOverride<boolean>(SKIP_AUDIT, [context.getHandler(), context.getClass()]);
    if (skip) return handled;
    const successStatus = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? (req.method === 'POST' ? 201 : 200);
    return handled.pipe(
      mergeMap((body) => from(this.audit.recordRequest(req, { statusCode: successStatus, body }).then(() => body))),
      catchError((error: unknown) => {
        const { statusCode, message } = toErrorBody(error);
        return from(this.audit.recordRequest(req, { statusCode, error: message })).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}

function withActor(req: Request, next: CallHandler): Observable<unknown> {
  return new Observable((subscriber) => runAs(req.principal!, () => next.handle().subscribe(subscriber)));
}
