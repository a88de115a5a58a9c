import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './env.schema';
import { loadMasterKey } from './master-key';

describe('loadMasterKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walbridge-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a 32-byte key file readable by its owner only on first start, and reuses it', () => {
    const file = join(dir, 'data', 'master.key');
    const config = loadConfig({ WALBRIDGE_MASTER_KEY_FILE: file });
    const first = loadMasterKey(config);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(config).equals(first)).toBe(true);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first)).toBe(true);
  });

  it('tightens the mode of an existing key file', () => {
    const file = join(dir, 'loose.key');
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o644 });
    loadMasterKey(loadConfig({ WALBRIDGE_MASTER_KEY_FILE: file }));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('prefers WALBRIDGE_MASTER_KEY, and refuses a key of the wrong size', () => {
    const key = randomBytes(32);
    expect(loadMasterKey(loadConfig({ WALBRIDGE_MASTER_KEY: key.toString('base64') })).equals(key)).toBe(true);
    expect(() => loadConfig({ WALBRIDGE_MASTER_KEY: randomBytes(16).toString('base64') })).toThrow(/32 bytes/);
  });
});
