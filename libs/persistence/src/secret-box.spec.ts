import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips credentials and never stores them in clear', () => {
    const sealed = box.seal({ sourcePassword: 'hunter2-very-secret' }, 'task-1');
    expect(sealed.toString('latin1')).not.toContain('hunter2');
    expect(box.open(sealed, 'task-1')).toEqual({ sourcePassword: 'hunter2-very-secret' });
  });

  it('refuses a ciphertext moved to another task', () => {
    const sealed = box.seal({ sourcePassword: 'x' }, 'task-1');
    expect(() => box.open(sealed, 'task-2')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = box.seal({ sourcePassword: 'x' }, 'task-1');
    sealed[sealed.length - 1] ^= 0xff;
    expect(() => box.open(sealed, 'task-1')).toThrow();
  });

  it('refuses the legacy format outside the migration that re-seals it, naming the way out', () => {
    const sealed = box.seal({ sourcePassword: 'x' }, 'task-1');
    sealed[0] = 1;
    expect(() => box.open(sealed, 'task-1')).toThrow(/npm run migrate/);
  });

  it('refuses a key of the wrong size', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
