import { describe, expect, it } from 'vitest';
import { currentActor, runAs } from './request-context';

describe('the caller of the current request', () => {
  const alice = { userId: 'u1', username: 'alice', role: 'operator' as const, authenticatedBy: 'session' as const, credentialId: 'h' };

  it('is known across awaits inside the request, and to nothing outside it', async () => {
    const seen = await runAs(alice, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return currentActor();
    });
    expect(seen).toBe('alice');
    expect(currentActor()).toBe('system');
  });

  it('does not leak between concurrent requests', async () => {
    const bob = { ...alice, userId: 'u2', username: 'bob' };
    const later = (ms: number) => new Promise((r) => setTimeout(r, ms)).then(() => currentActor());
    const [a, b] = await Promise.all([runAs(alice, () => later(10)), runAs(bob, () => later(1))]);
    expect([a, b]).toEqual(['alice', 'bob']);
  });
});
