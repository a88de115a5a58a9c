import type { ValueKind } from '../row-filter/pg-values';

/**
 * What the scheduler learned from the source and the destination, as plain data: the rules in
 * this folder turn it into item results without any I/O, so each rule is unit-tested.
 */

/** A connection that could not be made, already explained (see the connectors lib). */
export interface ConnectionFailure {
  problem: string;
  message: string;
  suggestion: string;
}

export interface SlotFact {
  name: string;
  plugin: string | null;
  type: 'logical' | 'physical';
  database: string | null;
  active: boolean;
  /** WAL bytes between the server's current position and the slot's restart_lsn. */
  retainedBytes: number | null;
}

/** A column of a table with per-table settings, as the source catalog describes it. */
export interface ColumnFact {
  name: string;
  /** format_type() text. */
  type: string;
  kind: ValueKind;
  enumLabels?: readonly string[];
  /** Part of the replica identity: its value is in the old image of every UPDATE and DELETE. */
  identity: boolean;
  /** Its storage allows TOAST: an UPDATE that leaves it unchanged may not carry its value. */
  toastable: boolean;
}

export interface TableFact {
  schema: string;
  table: string;
  exists: boolean;
  /** pg_class.relkind: r table, p partitioned table, v view, m materialized view, f foreign table. */
  kind: string | null;
  /** pg_class.relpersistence: p permanent, u unlogged, t temporary. */
  persistence: string | null;
  primaryKey: string[];
  /** pg_class.relreplident: d default, f full, i index, n nothing. */
  replicaIdentity: string | null;
  /** Primary key columns whose attstorage is m, e or x. */
  toastableKeyColumns: string[];
  canSelect: boolean;
  owned: boolean;
  /** Read for tables with a row filter or a column list. */
  columns?: ColumnFact[];
}

export interface SchemaFact {
  name: string;
  exists: boolean;
  usage: boolean;
}

export interface SessionFact {
  pid: number;
  user: string | null;
  database: string | null;
  application: string | null;
  state: string | null;
  ageSeconds: number;
}

export interface PreparedTransactionFact {
  gid: string;
  owner: string | null;
  database: string | null;
  ageSeconds: number;
}

export interface SourceFacts {
  role: string;
  database: string;
  /** The address the source sees this connection come from (for a pg_hba.conf line). */
  clientAddress: string | null;
  version: string;
  versionNum: number;
  inRecovery: boolean;
  walLevel: string;
  maxReplicationSlots: number;
  maxWalSenders: number;
  /** null before PostgreSQL 13 (no such setting); -1 = unlimited; else megabytes. */
  maxSlotWalKeepSizeMb: number | null;
  slots: SlotFact[];
  superuser: boolean;
  replicationRole: boolean;
  /** Opening a replication (walsender) connection and running IDENTIFY_SYSTEM. */
  replicationConnection: { ok: true } | { ok: false; message: string; code: string | null };
  canConnect: boolean;
  canCreateInDatabase: boolean;
  /** The schemas the selection involves. */
  schemas: SchemaFact[];
  /** The selected tables (table level) or the tables found in the selected schemas (database level). */
  tables: TableFact[];
  /** Superuser or member of pg_read_all_stats: other roles' sessions are visible. */
  seesAllSessions: boolean;
  longTransactions: SessionFact[];
  preparedTransactions: PreparedTransactionFact[];
  publicationExists: boolean;
  /** The existing publication follows schemas by itself (FOR ALL TABLES, FOR TABLES IN SCHEMA); null when absent or not read. */
  publicationScope?: { allTables: boolean; schemas: string[] } | null;
  /** Stored generated columns of the captured tables: pgoutput never sends them (PostgreSQL before 18). */
  generatedColumns?: { schema: string; table: string; column: string }[];
  /** Read for a full+incremental task only. */
  snapshot?: SnapshotFacts;
}

/** What a full synchronization needs of the source (issue 13). */
export interface SnapshotFacts {
  /** A transactional pg_logical_emit_message in a rolled-back transaction: the chunk watermarks use the same function. */
  emitMessage: { ok: true } | { ok: false; message: string; code: string | null };
  tables: SnapshotTableFact[];
}

export interface SnapshotTableFact {
  schema: string;
  table: string;
  partitioned: boolean;
  /** Columns of the replica identity index (REPLICA IDENTITY USING INDEX), in index order. */
  identityIndex: string[];
  /**
   * pg_class.reltuples (summed over the leaves of a partitioned table); null when the table (or a
   * leaf) was never vacuumed or analyzed (reltuples -1): the count is unknown, not zero.
   */
  rowsEstimated: number | null;
  /** pg_total_relation_size (of the leaves): on disk, compressed; the messages are larger. */
  bytes: number;
  /** Leaf partitions the role may not SELECT from directly (a keyless partitioned table is read leaf by leaf). */
  unreadableLeaves: string[];
}

export interface KafkaTopicFact {
  name: string;
  exists: boolean;
  partitions: number | null;
  /** For a topic to be created (auto mode): the broker's verdict on a validate-only CreateTopics. */
  createError: { code: string; message: string } | null;
  /** An existing topic's retention.bytes (per partition, -1 unlimited) and cleanup.policy; absent when not read. */
  retentionBytes?: number | null;
  cleanupPolicy?: string | null;
}

export interface KafkaFacts {
  brokerCount: number;
  brokerVersion: string;
  /** InitProducerId (API key 22) is offered: Kafka 0.11+, needed by the idempotent producer. */
  supportsIdempotence: boolean;
  topics: KafkaTopicFact[];
  /** null when it could not be read (DescribeConfigs denied). */
  autoCreateTopicsEnable: boolean | null;
  autoCreateReadError: string | null;
}

/** The task as the rules need it (structurally the stored configuration). */
export interface PrecheckTask {
  id: string;
  name: string;
  status: string;
  slotName: string;
  publicationName: string;
  /** The slot name Walbridge derives from the task id: such a slot can only be this task's. */
  defaultSlotName: string;
  /** Walbridge created the task's slot (it streamed, or a reset recreated it): it is this task's. */
  ownsSlot?: boolean;
  brokers: string;
  source: { database: string; username: string };
  destination: { username?: string };
  policy: {
    dmlOperations: ReadonlyArray<string>;
    objectScope: 'database' | 'tables';
    schemas?: ReadonlyArray<string>;
    tables: ReadonlyArray<{
      schema: string;
      table: string;
      topic?: string;
      dmlOperations?: ReadonlyArray<string>;
      filter?: string;
      includeColumns?: ReadonlyArray<string>;
      excludeColumns?: ReadonlyArray<string>;
    }>;
    topicPolicy: { mode: 'specific' | 'auto'; topic?: string; nameFormat?: string; partitions?: number; replicationFactor?: number };
    /** full+incremental reads the existing rows first (issue 13). */
    syncMode?: 'incremental' | 'full+incremental';
    /** The wire format; avro-registry has its schemas checked by the registry. */
    format?: string;
  };
  /** Other live tasks of this installation that use the same slot name on the same database. */
  slotNameUsedBy: ReadonlyArray<{ id: string; name: string }>;
  longTransactionSeconds: number;
}
