import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, run, testEnv } from '@walbridge/testing';

/**
 * The commands a newcomer reads in README and package.json must exist and work: a script that
 * points at a missing file (as `npm run migrate` once did) fails here, not on someone's machine.
 */
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const scripts = packageJson.scripts;
const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('npm scripts and README commands', () => {
  it('every `npm run X` in README names a script of package.json', () => {
    const named = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]);
    // `stack:up` / `stack:down` / `stack:status` is written once with the prefix shortened.
    const shortened = [...readme.matchAll(/`npm run (stack):up` \/ `(\w+)` \/ `(\w+)`/g)].flatMap((m) => [`${m[1]}:${m[2].split(':').pop()}`]);
    expect(named.length).toBeGreaterThan(3);
    for (const name of [...named, ...shortened]) expect(Object.keys(scripts), `README names npm run ${name}`).toContain(name);
  });

  it('every script that runs a file of the repository points at one that exists', () => {
    for (const [name, command] of Object.entries(scripts)) {
      for (const [, file] of command.matchAll(/\bnode ([\w./-]+\.m?js)\b/g)) {
        expect(existsSync(join(REPO_ROOT, file)), `npm run ${name}: ${file}`).toBe(true);
      }
    }
  });

  it('npm run migrate applies the migrations to an empty database and migrate:check finds no drift', async () => {
    const database = `wb_migrate_${process.pid}`;
    const admin = new Client({ host: testEnv.pgHost, port: testEnv.pgPort, user: testEnv.pgAdminUser, password: testEnv.pgAdminPassword, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.query(`CREATE DATABASE ${database}`);
      const url = `postgres://${testEnv.pgAdminUser}:${testEnv.pgAdminPassword}@${testEnv.pgHost}:${testEnv.pgPort}/${database}`;
      const env = { ...process.env, WALBRIDGE_DATABASE_URL: url };
      const first = await run('npm', ['run', '--silent', 'migrate'], { cwd: REPO_ROOT, env });
      expect(first.stdout).toMatch(/applied: /);
      const again = await run('npm', ['run', '--silent', 'migrate'], { cwd: REPO_ROOT, env });
      expect(again.stdout).toMatch(/metadata schema is up to date/);
      const check = await run('npm', ['run', '--silent', 'migrate:check'], { cwd: REPO_ROOT, env });
      expect(check.stdout).toMatch(/entities and migrations agree/);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('npm run stack:status reports the running stack', async () => {
    const status = await run('npm', ['run', '--silent', 'stack:status'], { cwd: REPO_ROOT, env: process.env });
    expect(status.stdout).toMatch(/postgres/i);
  });
});
