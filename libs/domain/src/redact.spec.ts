import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('removes every occurrence of every secret, the longest first', () => {
    expect(redactSecrets('user=a password=s3cret-pw host=x s3cret-pw', ['s3cret-pw'])).toBe('user=a password=[redacted] host=x [redacted]');
    expect(redactSecrets('abcdef abc', ['abc', 'abcdef'])).toBe('[redacted] [redacted]');
  });

  it('ignores missing and very short secrets', () => {
    expect(redactSecrets('a b c', [undefined, null, '', 'a'])).toBe('a b c');
  });
});
