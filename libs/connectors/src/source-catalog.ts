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
    cols: string[] | null;
  }>(
    `WITH pk AS (${PRIMARY_KEYS})
     SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence,
            c.relreplident::text AS replident,
            CASE WHEN c.relkind = 'p'
                 THEN (SELECT sum(GREATEST(ch.reltuples, 0))::float8 FROM pg_inherits h JOIN pg_class ch ON ch.oid = h.inhrelid WHERE h.inhparent = c.oid)
                 WHEN c.reltuples < 0 THEN NULL
                 ELSE c.reltuples::float8 END AS rows,
            pk.cols AS pk,
            has_table_privilege(c.oid, 'SELECT') AS selectable,
            ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS cols
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
      columns: t.cols ?? [],
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

export interface ColumnFactRow {
  relid: number;
  name: string;
  /** format_type() with the column's modifiers, as the envelope's columnType shows it. */
  type: string;
  /** The base type without modifiers (a domain resolved to what it is built on). */
  base_type: string;
  typtype: string;
  deterministic: boolean;
  /** Enum labels in their sort order (null for other types). */
  enum_labels: string[] | null;
  /** In the replica identity (every column under FULL, the key or identity index columns otherwise). */
  identity: boolean;
  /** attstorage puts large values out of line (external, extended; main does so only as a last resort). */
  toastable: boolean;
}

/**
 * The columns of tables as pgoutput sends them (not dropped, not generated), with what a row
 * filter needs to type its values. Written for PostgreSQL 10 and later: columns that only
 * exist in later versions (attgenerated, collisdeterministic) are read through to_jsonb.
 */
export async function describeColumns(client: Client, relids: number[]): Promise<ColumnFactRow[]> {
  if (!relids.length) return [];
  const { rows } = await client.query<ColumnFactRow>(
    `WITH RECURSIVE base(type_oid, oid, depth) AS (
         SELECT t.oid, t.oid, 0 FROM pg_type t
          WHERE t.oid IN (SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = ANY($1::oid[]))
         UNION ALL
         SELECT b.type_oid, t.typbasetype, b.depth + 1 FROM base b JOIN pg_type t ON t.oid = b.oid
          WHERE t.typtype = 'd' AND b.depth < 16
       ),
       resolved AS (SELECT DISTINCT ON (type_oid) type_oid, oid FROM base ORDER BY type_oid, depth DESC)
     SELECT a.attrelid::int8 AS relid, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            format_type(bt.oid, NULL) AS base_type, bt.typtype::text AS typtype,
            COALESCE((to_jsonb(co) ->> 'collisdeterministic')::boolean, true) AS deterministic,
            CASE WHEN bt.typtype = 'e'
                 THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder) END AS enum_labels,
            c.relreplident = 'f' OR EXISTS (
              SELECT 1 FROM pg_index i
               WHERE i.indrelid = a.attrelid AND a.attnum = ANY(i.indkey)
                 AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident))) AS identity,
            a.attstorage IN ('e', 'x') AS toastable
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN resolved r ON r.type_oid = a.atttypid
       JOIN pg_type bt ON bt.oid = r.oid
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
        AND COALESCE(to_jsonb(a) ->> 'attgenerated', '') = ''
      ORDER BY a.attrelid, a.attnum`,
    [relids],
  );
  // int8 arrives as text: an oid does not fit int4.
  return rows.map((r) => ({ ...r, relid: Number(r.relid) }));
}

/** Relation ids of tables named by schema and table (null for a table that does not exist). */
export async function relationIds(client: Client, tables: ReadonlyArray<{ schema: string; table: string }>): Promise<(number | null)[]> {
  if (!tables.length) return [];
  const { rows } = await client.query<{ relid: string | null }>(
    `SELECT c.oid::int8 AS relid
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(schema, tbl, ord)
       LEFT JOIN pg_namespace n ON n.nspname = w.schema
       LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tbl
      ORDER BY w.ord`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return rows.map((r) => (r.relid === null ? null : Number(r.relid)));
}
