import { describe, expect, it } from 'vitest';
import { auditAction, auditTaskId, defaultRoleFor } from './access-policy';

describe('default role of a route', () => {
  it('lets viewers read and needs an operator for anything that changes state', () => {
    expect(defaultRoleFor('GET')).toBe('viewer');
    expect(defaultRoleFor('head')).toBe('viewer');
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(defaultRoleFor(m)).toBe('operator');
  });
});

describe('audit action names', () => {
  it.each([
    ['POST', '/api/v1/tasks', 'tasks.create'],
    ['PATCH', '/api/v1/tasks/:id', 'tasks.update'],
    ['DELETE', '/api/v1/tasks/:id', 'tasks.delete'],
    ['POST', '/api/v1/tasks/:id/submit', 'tasks.submit'],
    ['POST', '/api/v1/tasks/:id/force-stop', 'tasks.force-stop'],
    ['POST', '/api/v1/tasks/:id/precheck/items/:itemId/confirm', 'tasks.precheck.items.confirm'],
    ['POST', '/api/v1/connections/test', 'connections.test'],
    ['POST', '/api/v1/users', 'users.create'],
    ['PATCH', '/api/v1/users/:id', 'users.update'],
    ['DELETE', '/api/v1/tokens/{id}', 'tokens.delete'],
    ['POST', '/api/v1/auth/logout', 'auth.logout'],
  ])('%s %s is %s', (method, path, action) => {
    expect(auditAction(method, path)).toBe(action);
  });
});

describe('the task an audited call concerns', () => {
  it('comes from the id of a task route', () => {
    expect(auditTaskId('/api/v1/tasks/:id/stop', { id: 'abc' })).toBe('abc');
    expect(auditTaskId('/api/v1/tasks/:id/precheck/items/:itemId/confirm', { id: 'abc', itemId: 'x' })).toBe('abc');
  });

  it('is the new task of a create', () => {
    expect(auditTaskId('/api/v1/tasks', {}, 'new-id')).toBe('new-id');
  });

  it('is none for other resources, even with an id', () => {
    expect(auditTaskId('/api/v1/users/:id', { id: 'u1' })).toBeNull();
    expect(auditTaskId('/api/v1/tasks', {}, undefined)).toBeNull();
  });
});
