import { describe, expect, it } from 'vitest';
import type { OpenAPIObject } from '@nestjs/swagger';
import { documentAccess } from './openapi-access';

describe('access rules in the OpenAPI document', () => {
  const doc = () =>
    ({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'walbridge_session' } } },
      paths: {
        '/health': { get: { 'x-walbridge-public': true, responses: {} } },
        '/api/v1/tasks': { get: { responses: {} }, post: { responses: {} } },
        '/api/v1/users': { get: { 'x-walbridge-role': 'admin', responses: {} } },
      },
    }) as unknown as OpenAPIObject;

  it('requires a bearer token or the session cookie everywhere, except on public operations', () => {
    const out = documentAccess(doc());
    expect(out.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(out.paths['/health'].get!.security).toEqual([]);
    expect(out.paths['/api/v1/tasks'].get!.security).toBeUndefined();
  });

  it('names the least role of each operation: the declared one, else the default for its method', () => {
    const out = documentAccess(doc());
    const role = (path: string, method: 'get' | 'post') => (out.paths[path][method] as unknown as Record<string, unknown>)['x-walbridge-role'];
    expect(role('/api/v1/tasks', 'get')).toBe('viewer');
    expect(role('/api/v1/tasks', 'post')).toBe('operator');
    expect(role('/api/v1/users', 'get')).toBe('admin');
    expect(role('/health', 'get')).toBeUndefined();
  });
});
