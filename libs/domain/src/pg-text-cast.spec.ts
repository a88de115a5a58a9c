import { describe, expect, it } from 'vitest';
import { castOutputToText, textCastOf } from './pg-text-cast';

describe('castOutputToText: the output text rewritten as col::text prints it', () => {
  it('spells booleans out', () => {
    expect(castOutputToText('boolean', 't')).toBe('true');
    expect(castOutputToText('boolean', 'f')).toBe('false');
  });

  it('drops the trailing spaces of character(n), and only those', () => {
    expect(castOutputToText('bpchar', 'a    ')).toBe('a');
    expect(castOutputToText('bpchar', ' b   ')).toBe(' b');
    expect(castOutputToText('bpchar', 'tab\t ')).toBe('tab\t');
    expect(castOutputToText('bpchar', 'abcde')).toBe('abcde');
    expect(castOutputToText('bpchar', '     ')).toBe('');
  });

  it('always shows the inet netmask, /32 for IPv4 and /128 for IPv6 (IPv4-mapped included)', () => {
    expect(castOutputToText('inet', '10.0.0.1')).toBe('10.0.0.1/32');
    expect(castOutputToText('inet', '192.168.1.1/24')).toBe('192.168.1.1/24');
    expect(castOutputToText('inet', '::1')).toBe('::1/128');
    expect(castOutputToText('inet', '::ffff:1.2.3.4')).toBe('::ffff:1.2.3.4/128');
    expect(castOutputToText('inet', '2001:db8::/64')).toBe('2001:db8::/64');
  });

  it('applies to the base types whose cast differs, and to nothing else', () => {
    expect(textCastOf('boolean')).toBe('boolean');
    expect(textCastOf('character')).toBe('bpchar');
    expect(textCastOf('inet')).toBe('inet');
    for (const t of ['cidr', 'character varying', 'text', 'boolean[]', 'xml', 'integer']) expect(textCastOf(t)).toBeUndefined();
  });
});
