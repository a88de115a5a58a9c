import { Client, type ClientConfig } from 'pg';
import type { SourceConfig } from '@walbridge/contracts';
import { hasRowFilter, valueKindOf, type ColumnFact, type SchemaFact, type SourceFacts } from '@walbridge/domain';
import { pgClientConfig } from './pg-client-config';
import { describeColumns, describeTables, relationIds, tablesOfSchemas } from './source-catalog';
import { errorText } from './source-errors';
import { gatherSnapshotFacts } from './snapshot-facts';
import { PROBE_CONNECT_TIMEOUT_MS } from './source-connection';

export interface SourceSelection {
  objectScope: 'database' | 'tables';
  schemas?: ReadonlyArray<string>;
  tables: ReadonlyArray<{ schema: string; table: string; filter?: string; includeColumns?: ReadonlyArray<string>; excludeColumns?: ReadonlyArray<string> }>;
  publicationName: string;
  longTransactionSeconds: number;
  /** full+incremental: the snapshot's facts are read too. */
  syncMode?: 'incremental' | 'full+incremental';
}

/**
 * Reads everything the source items of a precheck need, as the task's own role, over one
 * ordinary connection (plus one replication connection to prove it opens). A handful of catalog
 * queries whatever the number of tables.
 */
export async function gatherSourceFacts(client: Client, source: SourceConfig, selection: SourceSelection): Promise<SourceFacts> {
  const settings = (
    await client.query<{
      role: string;
      database: string;
      client_address: string | null;
      version: string;
      version_num: number;
      in_recovery: boolean;
      wal_level: string;
      max_slots: number;
      max_senders: number;
      keep_size_mb: string | null;
      superuser: boolean;
      replication: boolean;
      can_connect: boolean;
      can_create: boolean;
      sees_all: boolean;
      publication_exists: boolean;
    }>(
      `SELECT current_user AS role, current_database() AS database, host(inet_client_addr()) AS client_address,
              current_setting('server_version') AS version, current_setting('server_version_num')::int AS version_num,
              pg_is_in_recovery() AS in_recovery, current_setting('wal_level') AS wal_level,
              current_setting('max_replication_slots')::int AS max_slots, current_setting('max_wal_senders')::int AS max_senders,
              (SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size') AS keep_size_mb,
              r.rolsuper AS superuser, r.rolreplication AS replication,
              has_database_privilege(current_database(), 'CONNECT') AS can_connect,
              has_database_privilege(current_database(), 'CREATE') AS can_create,
              r.rolsuper OR pg_has_role('pg_read_all_stats', 'USAGE') AS sees_all,
              EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1) AS publication_exists
         FROM pg_roles r WHERE r.rolname = current_user`,
      [selection.publicationName],
    )
  ).rows[0];

  const slots = (
    await client.query<{ name: string; plugin: string | null; type: 'logical' | 'physical'; database: string | null; active: boolean; retained: string | null }>(
      `SELECT slot_name AS name, plugin, slot_type AS type, database, active,
              CASE WHEN pg_is_in_recovery() OR restart_lsn IS NULL THEN NULL
                   ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END AS retained
         FROM pg_replication_slots ORDER BY slot_name`,
    )
  ).rows;

  const tables = selection.objectScope === 'tables' ? selection.tables : await tablesOfSchemas(client, selection.schemas);
  const schemaNames =
    selection.objectScope === 'database' && selection.schemas?.length ? [...selection.schemas] : [...new Set(tables.map((t) => t.schema))];
  // One connection runs one query at a time: sequential awaits, no pipelining through Promise.all.
  const schemas = await client.query<SchemaFact>(
    `SELECT w.name, n.oid IS NOT NULL AS exists, COALESCE(has_schema_privilege(n.oid, 'USAGE'), false) AS usage
       FROM unnest($1::text[]) AS w(name) LEFT JOIN pg_namespace n ON n.nspname = w.name`,
    [schemaNames],
  );
  const tableRows = await describeTables(client, tables);
  const columns = await columnsOfConfiguredTables(client, selection);
  const sessions = await client.query<{ pid: number; user: string | null; database: string | null; application: string | null; state: string | null; age: number }>(
    `SELECT pid, usename AS user, datname AS database, NULLIF(application_name, '') AS application, state,
            extract(epoch FROM now() - xact_start)::float8 AS age
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
        AND xact_start < now() - make_interval(secs => $1)
      ORDER BY xact_start`,
    [selection.longTransactionSeconds],
  );
  const prepared = await client.query<{ gid: string; owner: string | null; database: string | null; age: number }>(
    `SELECT gid, owner, database, extract(epoch FROM now() - prepared)::float8 AS age
       FROM pg_prepared_xacts WHERE prepared < now() - make_interval(secs => $1) ORDER BY prepared`,
    [selection.longTransactionSeconds],
  );

  const publicationScope = settings.publication_exists ? await readPublicationScope(client, selection.publicationName) : null;
  const generated = await generatedColumnsOf(client, tables, settings.version_num);
  const snapshot =
    selection.syncMode === 'full+incremental' && !settings.in_recovery && settings.version_num >= 100000
      ? await gatherSnapshotFacts(client, tables)
      : undefined;

  return {
    role: settings.role,
    database: settings.database,
    clientAddress: settings.client_address,
    version: settings.version,
    versionNum: settings.version_num,
    inRecovery: settings.in_recovery,
    walLevel: settings.wal_level,
    maxReplicationSlots: settings.max_slots,
    maxWalSenders: settings.max_senders,
    maxSlotWalKeepSizeMb: settings.keep_size_mb === null ? null : Number(settings.keep_size_mb),
    slots: slots.map((s) => ({ ...s, retainedBytes: s.retained === null ? null : Number(s.retained) })),
    superuser: settings.superuser,
    replicationRole: settings.replication,
    replicationConnection: await openReplicationConnection(source),
    canConnect: settings.can_connect,
    canCreateInDatabase: settings.can_create,
    schemas: schemas.rows,
    tables: tableRows.map((t) => ({
      schema: t.schema,
      table: t.table,
      exists: t.exists,
      kind: t.kind,
      persistence: t.persistence,
      replicaIdentity: t.replident,
      primaryKey: t.pk,
      toastableKeyColumns: t.toastable,
      canSelect: t.can_select,
      owned: t.owned,
      ...(columns.has(`${t.schema}.${t.table}`) ? { columns: columns.get(`${t.schema}.${t.table}`) } : {}),
    })),
    seesAllSessions: settings.sees_all,
    longTransactions: sessions.rows.map((s) => ({ pid: s.pid, user: s.user, database: s.database, application: s.application, state: s.state, ageSeconds: s.age })),
    preparedTransactions: prepared.rows.map((p) => ({ gid: p.gid, owner: p.owner, database: p.database, ageSeconds: p.age })),
    publicationExists: settings.publication_exists,
    publicationScope,
    generatedColumns: generated,
    ...(snapshot ? { snapshot } : {}),
  };
}

/** Whether the publication follows schemas by itself (FOR ALL TABLES; FOR TABLES IN SCHEMA from PostgreSQL 15). */
async function readPublicationScope(client: Client, name: string): Promise<{ allTables: boolean; schemas: string[] }> {
  const { rows } = await client.query<{ all: boolean; ns: string | null }>(
    `SELECT puballtables AS all, to_regclass('pg_catalog.pg_publication_namespace')::text AS ns FROM pg_publication WHERE pubname = $1`,
    [name],
  );
  if (!rows.length) return { allTables: false, schemas: [] };
  const schemas = rows[0].ns
    ? (
        await client.query<{ nspname: string }>(
          `SELECT n.nspname FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid
             JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE p.pubname = $1 ORDER BY 1`,
          [name],
        )
      ).rows.map((r) => r.nspname)
    : [];
  return { allTables: rows[0].all, schemas };
}

/** Stored generated columns of the tables (attgenerated exists from PostgreSQL 12 on): pgoutput leaves them out. */
async function generatedColumnsOf(
  client: Client,
  tables: ReadonlyArray<{ schema: string; table: string }>,
  versionNum: number,
): Promise<{ schema: string; table: string; column: string }[]> {
  if (versionNum < 120000 || !tables.length) return [];
  const { rows } = await client.query<{ schema: string; table: string; column: string }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS column
       FROM unnest($1::text[], $2::text[]) AS w(schema, tbl)
       JOIN pg_namespace n ON n.nspname = w.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tbl
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = 's'
      ORDER BY 1, 2, a.attnum`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return rows;
}

/** The columns of the tables that have a row filter or a column list, keyed `schema.table`. */
async function columnsOfConfiguredTables(client: Client, selection: SourceSelection): Promise<Map<string, ColumnFact[]>> {
  const configured = selection.tables.filter((t) => hasRowFilter(t.filter) || t.includeColumns?.length || t.excludeColumns?.length);
  const ids = await relationIds(client, configured);
  const known = configured.map((t, i) => ({ t, relid: ids[i] })).filter((x): x is { t: (typeof configured)[number]; relid: number } => x.relid !== null);
  const rows = await describeColumns(client, known.map((k) => k.relid));
  const byTable = new Map<string, ColumnFact[]>();
  for (const { t, relid } of known) {
    byTable.set(
      `${t.schema}.${t.table}`,
      rows
        .filter((r) => r.relid === relid)
        .map((r) => ({
          name: r.name,
          type: r.type,
          kind: valueKindOf({ baseType: r.base_type, typtype: r.typtype, collationDeterministic: r.deterministic }),
          ...(r.enum_labels ? { enumLabels: r.enum_labels } : {}),
          identity: r.identity,
          toastable: r.toastable,
        })),
    );
  }
  return byTable;
}

/** What the worker does first when it streams: a walsender connection for this database. */
async function openReplicationConnection(source: SourceConfig): Promise<{ ok: true } | { ok: false; message: string; code: string | null }> {
  // node-postgres supports the replication startup parameter; its type definitions omit it.
  const config: ClientConfig & { replication: string } = { ...pgClientConfig(source, 'walbridge-precheck-replication', PROBE_CONNECT_TIMEOUT_MS), replication: 'database' };
  const client = new Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('IDENTIFY_SYSTEM');
    return { ok: true };
  } catch (error) {
    return { ok: false, message: errorText(error, [source.password]), code: (error as { code?: string }).code ?? null };
  } finally {
    await client.end().catch(() => undefined);
  }
}
