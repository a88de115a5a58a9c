/** PostgreSQL's array output text, one dimension: '{1,2,NULL}', '{"a b","c\"d",NULL,"NULL"}'. */

export class ArrayTextError extends Error {
  override readonly name = 'ArrayTextError';
}

/**
 * The elements of a one-dimensional array's text, null for NULL (a quoted "NULL" is the text).
 * A multi-dimensional value or one with explicit bounds ('[0:1]={…}') is refused: the formats
 * that use this carry one list per column.
 */
export function parseArrayText(text: string, delimiter = ','): (string | null)[] {
  if (!text.startsWith('{') || !text.endsWith('}')) {
    throw new ArrayTextError(`not a one-dimensional array without bounds: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const out: (string | null)[] = [];
  const end = text.length - 1;
  let i = 1;
  if (i === end) return out;
  for (;;) {
    const c = text[i];
    if (c === '{') throw new ArrayTextError('multi-dimensional array');
    if (c === '"') {
      let s = '';
      i++;
      while (i < end && text[i] !== '"') {
        if (text[i] === '\\') i++;
        s += text[i++];
      }
      if (text[i] !== '"') throw new ArrayTextError('unterminated quoted array element');
      i++;
      out.push(s);
    } else {
      let j = i;
      while (j < end && text[j] !== delimiter) j++;
      const raw = text.slice(i, j);
      out.push(raw === 'NULL' ? null : raw);
      i = j;
    }
    if (i === end) return out;
    if (text[i] !== delimiter) throw new ArrayTextError(`unexpected ${JSON.stringify(text[i])} in array text`);
    i++;
  }
}
