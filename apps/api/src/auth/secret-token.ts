import { createHash, randomBytes } from 'node:crypto';

/** Session tokens and API tokens differ by prefix, so a lookup goes to the right table. */
export const SESSION_TOKEN_PREFIX = 'wbs_';
export const API_TOKEN_PREFIX = 'wbt_';
const SHOWN_PREFIX_LENGTH = 12;

/** 256 random bits, URL-safe. */
export function newSecretToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * Tokens are random and long, so a plain SHA-256 is enough to store them (no salt or slow hash
 * needed, unlike passwords) and lets a request be authenticated with one indexed lookup.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function shownPrefix(token: string): string {
  return token.slice(0, SHOWN_PREFIX_LENGTH);
}
