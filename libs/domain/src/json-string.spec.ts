import { describe, expect, it } from 'vitest';
import { jsonString } from './json-string';

describe('jsonString', () => {
  it('matches JSON.stringify for plain and escaped strings', () => {
    const samples = [
      '',
      '42',
      'plain text with spaces',
      'café 注文 😀',
      'quote " here',
      'back\\slash',
      'new\nline\ttab\r\b\f',
      '\u0000\u001f\u007f',
      'lone \ud800 high',
      'lone \udc00 low',
      'pair \ud83d\ude00 ok',
      '\u2028\u2029',
    ];
    for (const s of samples) {
      expect(jsonString(s)).toBe(JSON.stringify(s));
      expect(JSON.parse(jsonString(s))).toBe(s);
    }
  });
});
