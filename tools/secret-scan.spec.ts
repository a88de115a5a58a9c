import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSources, findSecrets } from './lib/secret-scan.mjs';

describe('the log scan that ends a test run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-scan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a marked test password and an exact secret in any log file below the directory, without printing them', () => {
    mkdirSync(join(dir, 'workers'));
    writeFileSync(join(dir, 'api.log'), 'listening\nlogin failed for wbpw-Abc123xyz_9\n');
    writeFileSync(join(dir, 'workers', 'w.log'), 'connecting with s3cr3t-admin-pass\n');
    const findings = findSecrets(fileSources(dir), { secrets: ['s3cr3t-admin-pass'] });
    expect(findings).toHaveLength(2);
    expect(findings).toContainEqual({ source: join(dir, 'api.log'), line: 2, found: expect.stringMatching(/^wbpw-Ab…/) });
    expect(findings).toContainEqual({ source: join(dir, 'workers', 'w.log'), line: 1, found: expect.stringMatching(/^s3cr3t-…/) });
    expect(JSON.stringify(findings)).not.toContain('s3cr3t-admin-pass');
    expect(JSON.stringify(findings)).not.toContain('wbpw-Abc123xyz_9');
  });

  it('passes logs that only mention passwords in general', () => {
    const findings = findSecrets([{ name: 'x', text: 'password authentication failed for user "demo"\npasswordSet: true\n' }], {
      secrets: ['s3cr3t-admin-pass'],
    });
    expect(findings).toEqual([]);
  });
});
