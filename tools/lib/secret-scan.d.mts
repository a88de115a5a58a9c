// Types of secret-scan.mjs (plain JavaScript: tools/test.mjs runs it without a build) for the
// TypeScript spec that tests it.
export interface TextSource {
  name: string;
  text: string;
}
export interface SecretFinding {
  source: string;
  line: number;
  /** The secret as found, masked. */
  found: string;
}
export const TEST_PASSWORD_PATTERN: RegExp;
export function filesUnder(dir: string): string[];
export function mask(secret: string): string;
export function findSecrets(sources: TextSource[], options?: { secrets?: (string | null | undefined)[]; patterns?: RegExp[] }): SecretFinding[];
export function fileSources(dir: string): TextSource[];
