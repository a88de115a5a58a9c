/**
 * pgoutput sends each value as its type's output function prints it; the envelope promises
 * `col::text` (PRODUCT.md §5). The two agree for every type except these, whose cast to text is a
 * different function. Each rewrite is exact: the output text carries everything the cast needs.
 *
 * - boolean: boolout prints t/f, the cast (booltext) true/false.
 * - character(n): bpcharout keeps the padding, the cast (rtrim1) drops trailing spaces.
 * - inet: inet_out leaves out a netmask that covers the whole address, the cast (network_show)
 *   always prints it (/32 for IPv4, /128 for IPv6).
 *
 * xml is the one type that cannot be matched: xml_out drops an XML declaration that only restates
 * the defaults (`<?xml version="1.0"?>`) before the value leaves the server, in text and binary
 * mode alike, so no logical-decoding consumer ever sees it; `data` then holds what `SELECT col`
 * returns to any client.
 */
export type TextCast = 'boolean' | 'bpchar' | 'inet';

const CAST_OF_BASE_TYPE: Record<string, TextCast> = {
  boolean: 'boolean',
  character: 'bpchar',
  bpchar: 'bpchar',
  inet: 'inet',
};

/** The rewrite a column needs, from format_type() of its base type (a domain's base type), if any. */
export function textCastOf(baseType: string): TextCast | undefined {
  return CAST_OF_BASE_TYPE[baseType];
}

/** `value` (the output function's text) as `::text` prints it. */
export function castOutputToText(cast: TextCast, value: string): string {
  switch (cast) {
    case 'boolean':
      return value === 't' ? 'true' : value === 'f' ? 'false' : value;
    case 'bpchar': {
      let end = value.length;
      while (end > 0 && value.charCodeAt(end - 1) === 32) end--;
      return end === value.length ? value : value.slice(0, end);
    }
    case 'inet':
      return value.includes('/') ? value : value + (value.includes(':') ? '/128' : '/32');
  }
}
