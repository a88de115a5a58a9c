import { describe, expect, it } from 'vitest';
import { classifyFailure, isRetryable } from '@walbridge/domain';
import { SchemaRegistryError } from './schema-registry-client';

describe('schema registry failures', () => {
  it.each([
    ['an unreachable registry or a 5xx: retried as a network failure', new SchemaRegistryError('schema registry http://r cannot be reached', null, true), 'network', true],
    ['an incompatible schema (409): only an operator can fix it', new SchemaRegistryError('schema registry http://r refused the schema as incompatible', 409, false), 'other', false],
    ['refused credentials (401): not retried', new SchemaRegistryError('schema registry http://r refused the credentials', 401, false), 'other', false],
  ] as const)('%s', (_, error, kind, retryable) => {
    expect(classifyFailure(error)).toBe(kind);
    expect(isRetryable(error)).toBe(retryable);
  });
});
