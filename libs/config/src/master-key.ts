import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig } from './env.schema';

/**
 * The key that encrypts credentials at rest: from WALBRIDGE_MASTER_KEY, else from a key file
 * that is created (mode 0600) on first start so that a fresh install is safe by default.
 */
export function loadMasterKey(config: AppConfig): Buffer {
  if (config.WALBRIDGE_MASTER_KEY) return Buffer.from(config.WALBRIDGE_MASTER_KEY, 'base64');
  const file = resolve(config.WALBRIDGE_MASTER_KEY_FILE ?? join(config.WALBRIDGE_DATA_DIR, 'master.key'));
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it between our check and our write: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`master key file ${file} must hold 32 bytes, base64 encoded`);
  return key;
}
