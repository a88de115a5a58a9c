import { describe, expect, it } from 'vitest';
import { loginPath, safeReturnPath } from './return-path';

describe('the page to return to after login', () => {
  it('keeps a path of the console, with its query', () => {
    expect(safeReturnPath('/tasks?status=PAUSED&page=2')).toBe('/tasks?status=PAUSED&page=2');
    expect(safeReturnPath('/api/docs/')).toBe('/api/docs/');
  });

  it('never leads to another site, however the address is disguised', () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'evil.example', '', null, '/login?next=/x']) {
      expect(safeReturnPath(next)).toBe('/');
    }
  });
});

describe('the login address for the current page', () => {
  it('remembers where the user was', () => {
    expect(loginPath({ pathname: '/tasks', search: '?page=2' })).toBe('/login?next=%2Ftasks%3Fpage%3D2');
  });

  it('does not remember the home page or the login itself', () => {
    expect(loginPath({ pathname: '/', search: '' })).toBe('/login');
    expect(loginPath({ pathname: '/login', search: '?next=%2Ftasks' })).toBe('/login');
  });
});
