import type { Client } from 'pg';
import type { ReplicaIdentity, SourceObjectsView, SourceSchemaView } from '@walbridge/contracts';

const REPLICA_IDENTITY: Record<string, ReplicaIdentity> = { d: 'default', f: 'full', i: 'index', n: 'nothing' };

// Primary keys of every table at once (one pass over pg_index), in key order.
const PRIMARY_KEYS = `
  SELECT i.indrelid, array_agg(a.attname::text ORDER BY k.ord) AS cols,
         array_remove(array_agg(CASE WHEN a.attstorage IN ('m', 'e', 'x') THEN a.attname::text END ORDER BY k.ord), NULL) AS toastable
    FROM pg_index i
   CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indisprimary
   GROUP BY i.indrelid`;

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`;

/**
 * The object picker: every schema and table of the database in one catalog query (not one per
 * table), so thousands of tables answer in milliseconds. Partitions are left out: they publish
 * under their partitioned parent.
 */
export async function listSourceObjects(client: Client): Promise<SourceObjectsView> {
  const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
  const schemas = await client.query<{ name: string }>(
    `SELECT n.nspname AS name FROM pg_namespace n WHERE ${USER_SCHEMA} AND n.nspname NOT LIKE 'pg\\_temp\\_%' ORDER BY 1`,
  );
  const tables = await client.query<{
    schema: string;
    name: string;
    kind: string;
    persistence: string;
    replident: string;
    rows: number | null;
    pk: string[] | null;
    selectable: boolean;
  }>(
    `WITH pk AS (${PRIMARY_KEYS})
     SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
            c.relreplident::text AS replident,
            CASE WHEN c.relkind = 'p'
                 THEN (SELECT sum(GREATEST(ch.reltuples, 0))::float8 FROM pg_inherits h JOIN pg_class ch ON ch.oid = h.inhrelid WHERE h.inhparent = c.oid)
                 WHEN c.reltuples < 0 THEN NULL
                 ELSE c.reltuples::float8 END AS rows,
            pk.cols AS pk,
            has_table_privilege(c.oid, 'SELECT') AS selectable
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pk ON pk.indrelid = c.oid
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_SCHEMA}
      ORDER BY 1, 2`,
  );
  const bySchema = new Map<string, SourceSchemaView>(schemas.rows.map((s) => [s.name, { name: s.name, tables: [] }]));
  for (const t of tables.rows) {
    let schema = bySchema.get(t.schema);
    if (!schema) bySchema.set(t.schema, (schema = { name: t.schema, tables: [] }));
    schema.tables.push({
      name: t.name,
      kind: t.kind === 'p' ? 'partitioned' : 'table',
      primaryKey: t.pk ?? [],
      replicaIdentity: REPLICA_IDENTITY[t.replident] ?? 'default',
      estimatedRows: t.rows === null ? null : Math.round(Number(t.rows)),
      unlogged: t.persistence === 'u',
      temporary: t.persistence === 't',
      selectable: t.selectable,
    });
  }
  const list = [...bySchema.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { database, schemas: list, tableCount: tables.rowCount ?? tables.rows.length };
}

export interface TableFactRow {
  schema: string;
  table: string;
  exists: boolean;
  kind: string | null;
  persistence: string | null;
  replident: string | null;
  can_select: boolean;
  owned: boolean;
  pk: string[];
  toastable: string[];
}

/** Facts about the given tables, in the given order; a missing table comes back with exists = false. */
export async function describeTables(client: Client, tables: ReadonlyArray<{ schema: string; table: string }>): Promise<TableFactRow[]> {
  if (!tables.length) return [];
  const { rows } = await client.query<TableFactRow>(
    `WITH pk AS (${PRIMARY_KEYS}),
          wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(schema, tbl, ord))
     SELECT w.schema, w.tbl AS table, c.oid IS NOT NULL AS exists, c.relkind::text AS kind,
            c.relpersistence::text AS persistence, c.relreplident::text AS replident,
            COALESCE(has_table_privilege(c.oid, 'SELECT'), false) AS can_select,
            COALESCE(pg_has_role(c.relowner, 'USAGE'), false) AS owned,
            COALESCE(pk.cols, '{}') AS pk, COALESCE(pk.toastable, '{}') AS toastable
       FROM wanted w
       LEFT JOIN pg_namespace n ON n.nspname = w.schema
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tbl AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       LEFT JOIN pk ON pk.indrelid = c.oid
      ORDER BY w.ord`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return rows;
}

/** The tables a database-level task captures: what the worker publishes (permanent tables, partition roots). */
export async function tablesOfSchemas(client: Client, schemas: ReadonlyArray<string> | undefined): Promise<{ schema: string; table: string }[]> {
  const { rows } = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND ($1::text[] IS NULL OR n.nspname = ANY($1))
      ORDER BY 1, 2`,
    [schemas?.length ? schemas : null],
  );
  return rows;
}
