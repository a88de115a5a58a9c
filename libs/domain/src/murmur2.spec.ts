import { describe, expect, it } from 'vitest';
import { murmur2, toPositive } from './murmur2';

describe('murmur2', () => {
  // Apache Kafka's own vectors: clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
  const kafkaVectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];

  it.each(kafkaVectors)('matches Kafka for %j', (input, expected) => {
    expect(murmur2(input)).toBe(expected);
    expect(murmur2(Buffer.from(input, 'utf8'))).toBe(expected);
    expect(murmur2(new Uint8Array(Buffer.from(input, 'utf8')))).toBe(expected);
  });

  it('hashes strings as their UTF-8 bytes, short or long', () => {
    for (const s of ['', 'é', '注文', '𝄞x', 'ü'.repeat(400), 'k'.repeat(5000)]) {
      expect(murmur2(s), s.slice(0, 10)).toBe(murmur2(Buffer.from(s, 'utf8')));
    }
  });

  it('is unaffected by a previous longer string in the scratch buffer', () => {
    const expected = murmur2(Buffer.from('ab'));
    murmur2('a much longer string that leaves bytes behind');
    expect(murmur2('ab')).toBe(expected);
  });

  it('toPositive clears the sign bit like Kafka', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
    expect(toPositive(-973932308)).toBe(1173551340);
  });
});
