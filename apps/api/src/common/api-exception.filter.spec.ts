import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { DomainError } from '@walbridge/domain';
import { toErrorBody } from './api-exception.filter';

const withCode = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('toErrorBody', () => {
  it('answers 503 with Retry-After when the metadata database or Redis cannot be reached', () => {
    const outages = [
      withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:55432'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      new Error('Connection terminated unexpectedly'),
      new Error('query failed', { cause: withCode('ECONNRESET', 'read ECONNRESET') }),
    ];
    for (const outage of outages) {
      expect(toErrorBody(outage), outage.message).toMatchObject({ statusCode: 503, code: 'BACKEND_UNAVAILABLE', retryAfterSeconds: 5 });
    }
  });

  it('keeps 500 for a real bug, without its message', () => {
    expect(toErrorBody(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error',
      details: [],
    });
    expect(toErrorBody(withCode('23505', 'duplicate key value violates unique constraint')).statusCode).toBe(500);
  });

  it('maps domain errors and Nest exceptions as before', () => {
    expect(toErrorBody(new BadRequestException('bad uuid'))).toMatchObject({ statusCode: 400, details: [{ field: '(request)', message: 'bad uuid' }] });
    expect(toErrorBody(new DomainError('not-found', 'TASK_NOT_FOUND', 'task x does not exist'))).toMatchObject({ statusCode: 404, code: 'TASK_NOT_FOUND' });
  });
});
