import type { PrecheckResult } from '@walbridge/vocabulary';

/** PRODUCT.md §3: every item of a precheck run, in the order they are shown. */
export const PRECHECK_ITEMS = [
  {
    key: 'source-connectivity',
    target: 'source',
    name: 'Source database connectivity',
    description: 'The source database answers and accepts the login (host, port, pg_hba.conf, password, LOGIN, SSL).',
  },
  {
    key: 'source-version',
    target: 'source',
    name: 'Source database version',
    description: 'The source runs PostgreSQL 10 or later and is a primary, not a standby.',
  },
  { key: 'wal-level', target: 'source', name: 'WAL level', description: 'wal_level is logical, so that changes can be decoded.' },
  {
    key: 'replication-slots',
    target: 'source',
    name: 'Replication slot capacity',
    description: 'max_replication_slots leaves a slot free for the task, and max_wal_senders is at least max_replication_slots.',
  },
  {
    key: 'replication-permission',
    target: 'source',
    name: 'Replication permission',
    description: 'The role is a superuser or has REPLICATION, and a replication connection actually opens.',
  },
  {
    key: 'privileges',
    target: 'source',
    name: 'Object privileges',
    description: 'The role has CONNECT on the database, USAGE on the schemas and SELECT on the selected tables.',
  },
  {
    key: 'publication-permission',
    target: 'source',
    name: 'Publication permission',
    description: 'The role may create the publication: CREATE on the database and ownership of the selected tables (or superuser).',
  },
  {
    key: 'output-plugin',
    target: 'source',
    name: 'Output plugin',
    description: 'The pgoutput logical decoding plugin is available (built into PostgreSQL 10 and later).',
  },
  {
    key: 'objects',
    target: 'source',
    name: 'Selected objects',
    description: 'The selected schemas and tables exist, are ordinary (not temporary, not unlogged) tables, and their names obey the character rules.',
  },
  {
    key: 'replica-identity',
    target: 'source',
    name: 'Tables without primary key',
    description: 'Every selected table has a primary key or REPLICA IDENTITY FULL, so that UPDATE and DELETE can be captured.',
  },
  {
    key: 'toast-key-columns',
    target: 'source',
    name: 'TOAST-able primary key columns',
    description: 'Primary key columns whose storage allows TOAST (main, external, extended) are covered by REPLICA IDENTITY FULL.',
  },
  {
    key: 'table-settings',
    target: 'source',
    name: 'Row filters and column lists',
    description:
      'Every row filter fits its table (its columns exist, its values fit their types) and every column list names columns of its table; ' +
      'a filter that needs values a DELETE or UPDATE image does not carry is pointed out.',
  },
  {
    key: 'long-transactions',
    target: 'source',
    name: 'Long-running transactions',
    description: 'No transaction has been open long enough to hold up the creation of the replication slot.',
  },
  {
    key: 'slot-and-publication',
    target: 'source',
    name: 'Slot and publication names',
    description: 'The replication slot name and the publication name are free, or already belong to this task.',
  },
  {
    key: 'wal-retention',
    target: 'source',
    name: 'WAL retention',
    description: 'How much WAL a stalled slot may keep on the source (max_slot_wal_keep_size), so that a paused task cannot fill its disk.',
  },
  {
    key: 'new-tables',
    target: 'source',
    name: 'Tables created later',
    description:
      'How a database-level task captures tables created after its start: from their first row through a publication FOR TABLES IN SCHEMA / FOR ALL TABLES ' +
      '(a superuser, or a publication a DBA created), otherwise discovered within seconds, when rows written before may be missed.',
  },
  {
    key: 'generated-columns',
    target: 'source',
    name: 'Generated columns',
    description: 'Stored generated columns of the captured tables, which PostgreSQL does not send in logical replication: they are absent from the messages.',
  },
  {
    key: 'full-sync',
    target: 'source',
    name: 'Full synchronization',
    description:
      'For a full + incremental task: the role may write the chunk watermarks (pg_logical_emit_message) and read every table and partition; ' +
      'how each table is read (by its key, or by ctid ranges) and about how many rows there are.',
  },
  {
    key: 'kafka-connectivity',
    target: 'destination',
    name: 'Kafka connectivity',
    description: 'A broker answers, authentication succeeds, and the brokers are Kafka 0.11 or later (ApiVersions).',
  },
  {
    key: 'kafka-topics',
    target: 'destination',
    name: 'Kafka topics',
    description: 'The specific topics exist; generated topic names are valid and can be created with the replication factor the cluster allows.',
  },
  {
    key: 'kafka-auto-create',
    target: 'destination',
    name: 'Broker topic auto-creation',
    description: 'auto.create.topics.enable is false on the brokers, so that a wrong topic name fails instead of creating a topic.',
  },
  {
    key: 'kafka-retention',
    target: 'destination',
    name: 'Topic retention for existing rows',
    description:
      'For a full + incremental task: each existing topic keeps at least as many bytes as the existing rows going to it take (retention.bytes), ' +
      'so the oldest snapshot rows are not deleted before the topic holds the whole table.',
  },
  {
    key: 'schema-registry',
    target: 'destination',
    name: 'Schema registry subjects',
    description:
      'For format avro-registry: the registry answers, and the key and value schema of each table (derived as the worker derives them) ' +
      'are compatible with the latest version of their subjects <topic>-key and <topic>-value; a subject not there yet will be registered.',
  },
  {
    key: 'dml-delete',
    target: 'task',
    name: 'DELETE and TRUNCATE synchronization',
    description: 'DELETE and TRUNCATE are among the synchronized operations, so that deleted or truncated rows are not left behind downstream.',
  },
] as const;

export type PrecheckItemKey = (typeof PRECHECK_ITEMS)[number]['key'];
export type PrecheckItemTarget = (typeof PRECHECK_ITEMS)[number]['target'];
export type PrecheckOutcomeResult = PrecheckResult;

export interface PrecheckOutcome {
  key: PrecheckItemKey;
  result: PrecheckOutcomeResult;
  reason: string | null;
  suggestion: string | null;
  affectedObjects: string[];
}

export const PRECHECK_ITEM_KEYS: readonly PrecheckItemKey[] = PRECHECK_ITEMS.map((i) => i.key);

export function precheckItemInfo(key: string): (typeof PRECHECK_ITEMS)[number] | undefined {
  return PRECHECK_ITEMS.find((i) => i.key === key);
}

/** The run's overall result: the worst item. */
export function overallResult(results: ReadonlyArray<PrecheckOutcomeResult>): PrecheckOutcomeResult {
  if (results.includes('FAILED')) return 'FAILED';
  if (results.includes('ALARM')) return 'ALARM';
  return 'PASSED';
}
