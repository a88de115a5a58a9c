import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '@walbridge/vocabulary';
import { describe, expect, it } from 'vitest';

// The error codes of the API are a typed list (libs/vocabulary); tsc already refuses a code that
// is not in it where the type reaches. This spec also catches what the type cannot: a code given
// as a plain string (a JSON body, a helper's `string` parameter) and a listed code nobody answers.
const ROOTS = ['apps', 'libs'];
const SKIPPED = new Set(['node_modules', 'dist', 'testing']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) || path === join('libs', 'vocabulary') ? [] : sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const sources = ROOTS.flatMap(sourceFiles).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

/** Codes in the places a code is given: `new DomainError(kind, 'X'`, `code: 'X'`, `…Code: 'X'`, `answerError(res, 415, 'X'`. */
const CODE_POSITIONS = [/new DomainError\(\s*'[a-z-]+',\s*'([A-Z][A-Z0-9_]*)'/g, /\b[a-zA-Z]*[cC]ode: '([A-Z][A-Z0-9_]*)'/g, /answerError\([^,]+,\s*\d+,\s*'([A-Z][A-Z0-9_]*)'/g];

function codesGiven(): { code: string; path: string }[] {
  return sources.flatMap(({ path, text }) => CODE_POSITIONS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => ({ code: m[1], path }))));
}

describe('the error codes of the API', () => {
  it('finds the codes the API answers with (the scan itself works)', () => {
    const given = new Set(codesGiven().map((c) => c.code));
    expect(given).toContain('TASK_NOT_FOUND');
    expect(given).toContain('HOST_NOT_ALLOWED');
    expect(given).toContain('BACKEND_UNAVAILABLE');
  });

  it('answers only with codes of the list', () => {
    const listed = new Set<string>(ERROR_CODES);
    expect(codesGiven().filter((c) => !listed.has(c.code))).toEqual([]);
  });

  it('lists each code once, and every listed code is answered somewhere', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    const unused = ERROR_CODES.filter((code) => !sources.some(({ text }) => text.includes(`'${code}'`) || text.includes(`ErrorCode.${code}`)));
    expect(unused).toEqual([]);
  });
});
