import type { Client } from 'pg';
import type { SnapshotFacts } from '@walbridge/domain';
import { errorText } from './source-errors';

/**
 * What a full synchronization needs of the source (issue 13), read as the task's role: whether it
 * may write the chunk watermarks, and per table how it would be read and how much there is.
 * The watermark probe emits a transactional message inside a transaction that is rolled back,
 * so nothing reaches any slot: PostgreSQL checks EXECUTE and the read-only state all the same.
 */
export async function gatherSnapshotFacts(client: Client, tables: ReadonlyArray<{ schema: string; table: string }>): Promise<SnapshotFacts> {
  let emitMessage: SnapshotFacts['emitMessage'] = { ok: true };
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_logical_emit_message(true, 'walbridge-precheck', '')`);
  } catch (error) {
    emitMessage = { ok: false, message: errorText(error, []), code: (error as { code?: string }).code ?? null };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
  if (!tables.length) return { emitMessage, tables: [] };
  const { rows } = await client.query<{
    schema: string;
    table: string;
    partitioned: boolean;
    identity_index: string[];
    rows: string | null;
    bytes: string;
    unreadable_leaves: string[];
  }>(
    `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(schema, tbl, ord)),
          rel AS (SELECT w.ord, w.schema, w.tbl, c.oid, c.relkind FROM wanted w
                    JOIN pg_namespace n ON n.nspname = w.schema
                    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tbl AND c.relkind IN ('r', 'p'))
     SELECT r.schema, r.tbl AS table, r.relkind = 'p' AS partitioned,
            COALESCE((SELECT array_agg(a.attname::text ORDER BY k.ord)
                        FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                       WHERE i.indrelid = r.oid AND i.indisreplident), '{}') AS identity_index,
            -- reltuples is -1 until the first VACUUM or ANALYZE: unknown, not empty.
            CASE WHEN bool_or(lc.reltuples < 0) THEN NULL ELSE COALESCE(sum(lc.reltuples), 0)::bigint::text END AS rows,
            COALESCE(sum(pg_total_relation_size(lc.oid)), 0)::bigint::text AS bytes,
            COALESCE(array_agg(format('%I.%I', ln.nspname, lc.relname) ORDER BY lc.oid)
                       FILTER (WHERE r.relkind = 'p' AND NOT has_table_privilege(lc.oid, 'SELECT')), '{}') AS unreadable_leaves
       FROM rel r
       -- pg_partition_tree of an ordinary table is empty: it is its own heap.
       LEFT JOIN LATERAL (SELECT t.relid FROM pg_partition_tree(r.oid) t WHERE r.relkind = 'p' AND t.isleaf
                          UNION ALL SELECT r.oid WHERE r.relkind = 'r') leaf ON true
       LEFT JOIN pg_class lc ON lc.oid = leaf.relid AND lc.relkind = 'r'
       LEFT JOIN pg_namespace ln ON ln.oid = lc.relnamespace
      GROUP BY r.ord, r.schema, r.tbl, r.oid, r.relkind
      ORDER BY r.ord`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return {
    emitMessage,
    tables: rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      partitioned: r.partitioned,
      identityIndex: r.identity_index,
      rowsEstimated: r.rows === null ? null : Number(r.rows),
      bytes: Number(r.bytes),
      unreadableLeaves: r.unreadable_leaves,
    })),
  };
}
