import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrlPath } from './redact';

describe('redactSecrets', () => {
  it('removes every occurrence of every secret, the longest first', () => {
    expect(redactSecrets('user=a password=s3cret-pw host=x s3cret-pw', ['s3cret-pw'])).toBe('user=a password=[redacted] host=x [redacted]');
    expect(redactSecrets('abcdef abc', ['abc', 'abcdef'])).toBe('[redacted] [redacted]');
  });

  it('ignores missing and very short secrets', () => {
    expect(redactSecrets('a b c', [undefined, null, '', 'a'])).toBe('a b c');
  });
});

describe('redactUrlPath', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'https://hooks.slack.com/[redacted]'],
    ['https://example.com/hook?token=abc', 'https://example.com/[redacted]'],
    ['http://127.0.0.1:8080/x#frag', 'http://127.0.0.1:8080/[redacted]'],
    ['https://example.com?token=abc', 'https://example.com/[redacted]'],
    ['http://[::1]:9000/hook', 'http://[::1]:9000/[redacted]'],
    ['https://example.com/', 'https://example.com/'],
    ['https://example.com', 'https://example.com'],
    ['not a url', '[redacted]'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrlPath(url)).toBe(shown);
  });
});
