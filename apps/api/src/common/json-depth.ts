/** Deeper than any request of the API needs (a task is about 6 levels), far below a stack overflow. */
export const MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of a JSON text, scanned before it is parsed: 10,000 nested arrays parse
 * fine but overflow the stack of any recursive walk afterwards (validation, the unstorable
 * character check). Brackets inside strings do not count. Stops at the first level too deep.
 */
export function jsonDepthExceeds(text: Buffer, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** body-parser's `verify`: a body nested too deep is a 400, before JSON.parse runs. */
export function verifyJsonDepth(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonDepthExceeds(body)) {
    throw Object.assign(new Error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), { status: 400, type: 'entity.too.deep' });
  }
}
