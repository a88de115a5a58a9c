import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiErrorBody } from '@walbridge/contracts';
import { DomainError, classifyFailure, type DomainErrorKind } from '@walbridge/domain';

const STATUS_OF: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  'rate-limited': HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  upstream: HttpStatus.BAD_GATEWAY,
};

export type ErrorBody = ApiErrorBody & Record<string, unknown>;

/**
 * What an exception answers, without side effects (the audit trail records the same status and
 * message the client gets). Stack traces never leave the process.
 */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainError) {
    const statusCode = STATUS_OF[exception.kind];
    return {
      statusCode,
      error: HttpStatus[statusCode] ?? 'Error',
      code: exception.code,
      message: exception.message,
      details: exception.details,
      ...exception.extra,
    };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const res = exception.getResponse();
    const message = typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? exception.message);
    // Nest's own pipes (ParseUUIDPipe…) do not name the field; a 400 still says what was wrong.
    const details = statusCode === HttpStatus.BAD_REQUEST ? [{ field: '(request)', message }] : [];
    return { statusCode, error: HttpStatus[statusCode] ?? 'Error', message, details };
  }
  // Body-parser errors carry a status (malformed JSON, too large) but are not HttpExceptions.
  const status = (exception as { status?: number; type?: string })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (exception as { type?: string }).type;
    const message = type === 'entity.too.large' ? 'request body too large' : type === 'entity.too.deep' ? (exception as Error).message : 'malformed request body';
    return { statusCode: status, error: HttpStatus[status] ?? 'Error', message, details: [{ field: '(body)', message }] };
  }
  // The metadata database or Redis is unreachable (restarting, failing over): nothing is wrong
  // with the request, and the same request will work once it is back.
  if (classifyFailure(exception) === 'network') {
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      error: 'Service Unavailable',
      code: 'BACKEND_UNAVAILABLE',
      message: 'the metadata database or the queue is unreachable; running tasks keep streaming, try again shortly',
      details: [],
      retryAfterSeconds: BACKEND_RETRY_AFTER_SECONDS,
    };
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'internal error', details: [] };
}

const BACKEND_RETRY_AFTER_SECONDS = 5;

/** The one place where errors become HTTP answers. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    const unexpected = !(exception instanceof DomainError) && !(exception instanceof HttpException) && body.statusCode >= 500;
    if (unexpected) {
      this.logger.error(exception instanceof Error ? exception.stack ?? exception.message : String(exception));
    }
    if (typeof body.retryAfterSeconds === 'number') response.setHeader('Retry-After', String(body.retryAfterSeconds));
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }
}
