import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';

/** The one place that says how Walbridge talks to its metadata database. */
export function metadataDataSourceOptions(url: string, migrations: DataSourceOptions['migrations'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    applicationName: 'walbridge',
    extra: { max: 10 },
  };
}
