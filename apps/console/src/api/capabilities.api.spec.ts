import { describe, expect, it } from 'vitest';
import { routesOf } from './capabilities.api';

describe('the routes of the API, from its OpenAPI document', () => {
  const routes = routesOf({
    paths: {
      '/api/v1/tasks/{id}/stop': { post: {} },
      '/api/v1/tasks/{taskId}/logs': { get: {}, parameters: [] },
      '/api/v1/tasks/{id}': { get: {}, patch: {}, delete: {} },
    },
  });

  it('knows a route whatever its placeholder is called', () => {
    expect(routes.has('POST', '/tasks/{id}/stop')).toBe(true);
    expect(routes.has('GET', '/tasks/{id}/logs')).toBe(true);
    expect(routes.has('DELETE', '/tasks/{id}')).toBe(true);
  });

  it('says no for a route or a method the API does not serve', () => {
    expect(routes.has('POST', '/tasks/{id}/pause')).toBe(false);
    expect(routes.has('GET', '/tasks/{id}/stop')).toBe(false);
  });
});
