import { describe, expect, it } from 'vitest';
import { PasswordCheckGate } from './password-check-gate';

describe('PasswordCheckGate', () => {
  it('runs at most `concurrency` checks, queues `queue` more and refuses the rest with 503', async () => {
    const gate = new PasswordCheckGate(2, 3);
    let running = 0;
    let peak = 0;
    const check = () =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return 'ok';
      });
    const results = await Promise.allSettled(Array.from({ length: 10 }, check));
    expect(peak).toBe(2);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(5);
    expect(refused[0].reason).toMatchObject({ kind: 'unavailable', code: 'LOGIN_BUSY', extra: { retryAfterSeconds: 1 } });
    // Everything is free again afterwards.
    expect(await check()).toBe('ok');
  });

  it('frees the slot of a check that throws', async () => {
    const gate = new PasswordCheckGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 1)).toBe(1);
  });
});
