// After a test run: proves that no password a test used reached a log. Tests make their
// passwords with libs/testing's testPassword() (marked `wbpw-`); the runner adds the admin's.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const TEST_PASSWORD_PATTERN = /wbpw-[A-Za-z0-9_-]{8,}/;

/** Every file below `dir` (logs may sit in sub-directories). */
export function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Shows enough of a secret to find it, never the secret. */
export function mask(secret) {
  return `${secret.slice(0, 7)}…(${secret.length} chars)`;
}

/**
 * sources: [{ name, text }]; secrets: exact strings; patterns: RegExps.
 * Resolves [{ source, line, found }] with `found` masked, empty when clean.
 */
export function findSecrets(sources, { secrets = [], patterns = [TEST_PASSWORD_PATTERN] } = {}) {
  const findings = [];
  const exact = secrets.filter((s) => typeof s === 'string' && s.length >= 6);
  for (const { name, text } of sources) {
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      for (const secret of exact) if (line.includes(secret)) findings.push({ source: name, line: index + 1, found: mask(secret) });
      for (const pattern of patterns) {
        const match = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(line);
        if (match && !exact.some((s) => match[0].includes(s) || s.includes(match[0]))) {
          findings.push({ source: name, line: index + 1, found: mask(match[0]) });
        }
      }
    });
  }
  return findings;
}

export function fileSources(dir) {
  return filesUnder(dir).map((path) => ({ name: path, text: readFileSync(path, 'utf8') }));
}
