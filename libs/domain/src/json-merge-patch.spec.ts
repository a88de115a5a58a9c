import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './json-merge-patch';

describe('applyMergePatch (RFC 7396)', () => {
  it('merges objects, replaces arrays and values, removes on null', () => {
    const target = { name: 'a', source: { host: 'h', port: 1, password: 'x' }, tags: [{ key: 'k' }] };
    expect(applyMergePatch(target, { source: { password: 'y' } })).toEqual({ name: 'a', source: { host: 'h', port: 1, password: 'y' }, tags: [{ key: 'k' }] });
    expect(applyMergePatch(target, { tags: [] })).toEqual({ ...target, tags: [] });
    expect(applyMergePatch(target, { source: { password: null } })).toEqual({ ...target, source: { host: 'h', port: 1 } });
    expect(target.source.password).toBe('x');
  });

  it('replaces the whole target with a non-object patch', () => {
    expect(applyMergePatch({ a: 1 }, [1])).toEqual([1]);
    expect(applyMergePatch('x', { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });
});
