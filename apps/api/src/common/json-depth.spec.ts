import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './json-depth';

describe('jsonDepthExceeds', () => {
  const cases: [string, string, boolean][] = [
    ['a flat object', '{"a":1}', false],
    ['exactly the limit', '['.repeat(32) + ']'.repeat(32), false],
    ['one level more', '['.repeat(33) + ']'.repeat(33), true],
    ['10,000 nested arrays', '['.repeat(10_000) + ']'.repeat(10_000), true],
    ['brackets in strings', JSON.stringify({ a: '['.repeat(100) }), false],
    ['escaped quotes in strings', JSON.stringify({ a: '\\"[[[[' + '['.repeat(100) }), false],
    ['objects and arrays mixed', '{"a":'.repeat(20) + '[' + '{"b":'.repeat(12) + '1' + '}'.repeat(12) + ']' + '}'.repeat(20), true],
    ['siblings do not add up', '[' + '[[]],'.repeat(1000) + '[]]', false],
  ];
  it.each(cases)('%s', (_name, text, deep) => {
    expect(jsonDepthExceeds(Buffer.from(text))).toBe(deep);
  });
});
