/** What runs a query: a pg Client (either value parsing: every column here is text). */
interface Queryable {
  query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
}

/** One heap a table's rows live in: the table itself, or a leaf partition of a partitioned table. */
export interface TableHeap {
  /** The table asked about (pg_class oid). */
  root: number;
  oid: number;
  schema: string;
  table: string;
  /** schema.table quoted where needed, as format('%I.%I') writes it. */
  qualifiedName: string;
  /** pg_class.reltuples, 0 when never analyzed. */
  rowsEstimated: number;
  /** false until the first VACUUM or ANALYZE (reltuples -1): rowsEstimated (0) is then unknown, not empty. */
  analyzed: boolean;
  /** pg_total_relation_size: on disk, with TOAST and indexes. */
  bytes: number;
  /** Heap pages now: a ctid range reading stops there. */
  pages: number;
  /** The connected role may SELECT from it directly. */
  readable: boolean;
}

/**
 * The heaps of each table: an ordinary table is its own heap; a partitioned table holds no rows
 * itself, so its heaps are its leaf partitions (foreign leaves have none), in partition order.
 * The precheck sums them up (how much a full synchronization reads, which leaves the role may
 * not read) and the worker lays them end to end to read a keyless table by ctid ranges.
 */
export async function readTableHeaps(client: Queryable, oids: readonly number[]): Promise<TableHeap[]> {
  if (!oids.length) return [];
  const { rows } = await client.query<Record<'root' | 'oid' | 'schema' | 'table' | 'qualified' | 'reltuples' | 'analyzed' | 'bytes' | 'pages' | 'readable', string>>(
    `SELECT r.oid::text AS root, c.oid::text AS oid, n.nspname AS schema, c.relname AS table, format('%I.%I', n.nspname, c.relname) AS qualified,
            GREATEST(c.reltuples, 0)::bigint::text AS reltuples, (c.reltuples >= 0)::text AS analyzed, pg_total_relation_size(c.oid)::text AS bytes,
            (pg_relation_size(c.oid) / current_setting('block_size')::int)::text AS pages,
            has_table_privilege(c.oid, 'SELECT')::text AS readable
       FROM pg_class r
       -- pg_partition_tree of an ordinary table is empty: it is its own heap.
       JOIN LATERAL (SELECT t.relid, t.level FROM pg_partition_tree(r.oid) t WHERE r.relkind = 'p' AND t.isleaf
                     UNION ALL SELECT r.oid, 0 WHERE r.relkind = 'r') leaf ON true
       JOIN pg_class c ON c.oid = leaf.relid AND c.relkind = 'r'
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE r.oid = ANY($1::oid[])
      ORDER BY r.oid, leaf.level, c.oid`,
    [oids],
  );
  return rows.map((r) => ({
    root: Number(r.root),
    oid: Number(r.oid),
    schema: r.schema,
    table: r.table,
    qualifiedName: r.qualified,
    rowsEstimated: Number(r.reltuples),
    analyzed: r.analyzed === 'true',
    bytes: Number(r.bytes),
    pages: Number(r.pages),
    readable: r.readable === 'true',
  }));
}
