import type { Client } from 'pg';
import type { SnapshotFacts } from '@walbridge/domain';
import { errorText } from './source-errors';
import { readTableHeaps } from './table-heaps';

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
  const { rows } = await client.query<{ schema: string; table: string; oid: string; partitioned: boolean; identity_index: string[] }>(
    `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(schema, tbl, ord))
     SELECT w.schema, w.tbl AS table, c.oid::text AS oid, c.relkind = 'p' AS partitioned,
            COALESCE((SELECT array_agg(a.attname::text ORDER BY k.ord)
                        FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                       WHERE i.indrelid = c.oid AND i.indisreplident), '{}') AS identity_index
       FROM wanted w
       JOIN pg_namespace n ON n.nspname = w.schema
       JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = w.tbl AND c.relkind IN ('r', 'p')
      ORDER BY w.ord`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  const heaps = await readTableHeaps(client, rows.map((r) => Number(r.oid)));
  return {
    emitMessage,
    tables: rows.map((r) => {
      const own = heaps.filter((h) => h.root === Number(r.oid));
      return {
        schema: r.schema,
        table: r.table,
        partitioned: r.partitioned,
        identityIndex: r.identity_index,
        // A heap never analyzed has an unknown count, not zero.
        rowsEstimated: own.some((h) => !h.analyzed) ? null : own.reduce((n, h) => n + h.rowsEstimated, 0),
        bytes: own.reduce((n, h) => n + h.bytes, 0),
        unreadableLeaves: r.partitioned ? [...own].sort((a, b) => a.oid - b.oid).filter((h) => !h.readable).map((h) => h.qualifiedName) : [],
      };
    }),
  };
}
