import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import type { ApiErrorBody, ErrorCode } from '@walbridge/contracts';

/** The API's error shape, for middleware that answers before Nest's exception filter could. */
export function answerError(res: Response, statusCode: number, code: ErrorCode, message: string, field = '(request)'): void {
  res.status(statusCode).json({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, details: [{ field, message }] } satisfies ApiErrorBody);
}
