import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '@walbridge/config';
import { metadataDataSourceOptions } from '@walbridge/persistence';
import { MIGRATIONS } from './index';

/**
 * `run`: applies pending migrations. `check`: fails when the entities describe a schema the
 * migrations do not produce (a migration is missing or wrong).
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
    console.error('usage: migrate run|check');
    return 2;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
