import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, loadMasterKey } from '@walbridge/config';
import { SecretBox, metadataDataSourceOptions, resealSecrets } from '@walbridge/persistence';
import { MIGRATIONS } from './index';

/**
 * `run`: applies pending migrations. `check`: fails when the entities describe a schema the
 * migrations do not produce (a migration is missing or wrong). `rotate-key`: re-seals every
 * stored secret with a new master key (see rotateKey).
 */
async function main(command: string | undefined): Promise<number> {
  const config = loadConfig();
  const dataSource = new DataSource(metadataDataSourceOptions(config.WALBRIDGE_DATABASE_URL, MIGRATIONS));
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'metadata schema is up to date');
      return 0;
    }
    if (command === 'check') {
      await dataSource.runMigrations({ transaction: 'each' });
      const drift = await dataSource.driver.createSchemaBuilder().log();
      if (drift.upQueries.length === 0) {
        console.log('entities and migrations agree');
        return 0;
      }
      console.error('entities and migrations drift; a migration would need:');
      for (const q of drift.upQueries) console.error(`  ${q.query}`);
      return 1;
    }
    if (command === 'rotate-key') return await rotateKey(dataSource, config);
    console.error('usage: migrate run|check|rotate-key');
    return 2;
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Key rotation: a new random key; every task and channel secret is opened with the current key
 * and sealed with the new one in one transaction (all or nothing); then the key file is
 * replaced, the old one kept as `<file>.previous`. With WALBRIDGE_MASTER_KEY (no file), the new
 * key is taken from WALBRIDGE_NEW_MASTER_KEY instead. Stop the api and schedulers first (they
 * hold the key in memory) and start them afterwards.
 */
async function rotateKey(dataSource: DataSource, config: ReturnType<typeof loadConfig>): Promise<number> {
  const current = new SecretBox(loadMasterKey(config));
  const fromEnv = !!config.WALBRIDGE_MASTER_KEY;
  const next = fromEnv ? Buffer.from(process.env.WALBRIDGE_NEW_MASTER_KEY ?? '', 'base64') : randomBytes(32);
  if (next.length !== 32) {
    console.error('WALBRIDGE_MASTER_KEY is set: give the new key as WALBRIDGE_NEW_MASTER_KEY (32 bytes, base64)');
    return 2;
  }
  const file = resolve(config.WALBRIDGE_MASTER_KEY_FILE ?? join(config.WALBRIDGE_DATA_DIR, 'master.key'));
  // Written before the re-seal: if anything fails after the commit, the new key is not lost.
  if (!fromEnv) writeFileSync(`${file}.next`, next.toString('base64') + '\n', { mode: 0o600 });
  const count = await dataSource.transaction((manager) => resealSecrets(manager, current, new SecretBox(next)));
  if (!fromEnv) {
    if (existsSync(file)) renameSync(file, `${file}.previous`);
    renameSync(`${file}.next`, file);
  }
  console.log(`re-sealed the secrets of ${count.tasks} task(s), ${count.channels} channel(s) and ${count.connections} saved connection(s) with the new master key${fromEnv ? ': set WALBRIDGE_MASTER_KEY to WALBRIDGE_NEW_MASTER_KEY' : ` in ${file} (the old one is ${file}.previous)`}; restart the api and schedulers`);
  return 0;
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
