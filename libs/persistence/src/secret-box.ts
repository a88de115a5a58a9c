import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** 1: bound to the record id only (before endpoint binding; `migrate run` re-seals those). 2: bound to id and endpoint. */
export const LEGACY_SECRET_VERSION = 1;
const VERSION = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretFormatError extends Error {}

/**
 * AES-256-GCM for credentials at rest. Layout: version byte, IV, auth tag, ciphertext.
 * `boundTo` is the additional data: a ciphertext copied onto another record, or a record whose
 * endpoint changed without the secret being given again, fails to open.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
  }

  seal(plaintext: Record<string, string | undefined>, boundTo: string): Buffer {
    return this.sealAs(VERSION, plaintext, boundTo);
  }

  open(sealed: Buffer, boundTo: string): Record<string, string | undefined> {
    if (sealed[0] === LEGACY_SECRET_VERSION) {
      throw new SecretFormatError('these credentials were sealed before they were bound to their endpoint: run `npm run migrate` to re-seal them');
    }
    return this.openAs(VERSION, sealed, boundTo);
  }

  /** Only for the migration that re-seals version 1 secrets. */
  openLegacy(sealed: Buffer, boundTo: string): Record<string, string | undefined> {
    return this.openAs(LEGACY_SECRET_VERSION, sealed, boundTo);
  }

  private sealAs(version: number, plaintext: Record<string, string | undefined>, boundTo: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const body = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([version]), iv, cipher.getAuthTag(), body]);
  }

  private openAs(version: number, sealed: Buffer, boundTo: string): Record<string, string | undefined> {
    if (sealed[0] !== version) throw new SecretFormatError('unknown secret format');
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(tag);
    try {
      const body = Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
      return JSON.parse(body.toString('utf8'));
    } catch {
      // GCM says only "does not authenticate": another key, another record, or another endpoint.
      throw new SecretFormatError('the stored credentials do not open for this record and endpoint (changed outside the API, or another master key)');
    }
  }
}
