import { Client } from 'pg';
import { testEnv } from './test-env';

/** A superuser connection to the demo source database, for fixtures and assertions. */
export async function sourceDb(database = testEnv.sourceDatabase): Promise<Client> {
  const client = new Client({
    host: testEnv.pgHost,
    port: testEnv.pgPort,
    user: testEnv.pgAdminUser,
    password: testEnv.pgAdminPassword,
    database,
  });
  await client.connect();
  return client;
}

/** A unique, valid, lowercase name for per-test tables and topics, so test files can run in parallel. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
}

/** A connection to the metadata database of the api and scheduler under test. */
export async function metadataDb(): Promise<Client> {
  const client = new Client({ connectionString: testEnv.databaseUrl });
  await client.connect();
  return client;
}

/** A unique replication slot name owned by this test run (see testEnv.slotPrefix). */
export function uniqueSlotName(): string {
  return `${testEnv.slotPrefix}${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
}
