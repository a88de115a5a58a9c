import { Client, type ClientConfig } from 'pg';
import { COLUMN_FLAG_KEY, SNAPSHOT_MESSAGE_PREFIX, TaskFailure, quoteIdent, type RelationMessage, type ReplicaIdentity, type Tuple, type Watermark } from '@walbridge/domain';

/** What a snapshot needs to know of a table, read from the catalog when its reading begins. */
export interface TableShape {
  schema: string;
  table: string;
  /** What the stream's Relation message would say (same columns, same order): the encoder is built from it. */
  relation: RelationMessage;
  /** SQL type of each column (format_type), to cast key values back. */
  types: string[];
  /**
   * Positions of the columns the chunks are ordered by: the primary key, else the replica
   * identity index; null for a table without either (read by ctid ranges).
   */
  keyPositions: number[] | null;
  rowsEstimated: number;
  /** Bytes a row takes on disk with its TOAST (an estimate until the first chunk is measured). */
  bytesPerRow: number;
  /** Heap pages when the reading began: ctid ranges stop there (later rows arrive through the stream). */
  pages: number;
}

export interface ChunkRead {
  rows: Tuple[];
  /** The position after this chunk: the key of its last row, or the next block. null: nothing read. */
  nextPosition: string[] | null;
  /** The table has no more rows to read after this chunk. */
  last: boolean;
}

/** Keeps values as PostgreSQL's text output, exactly as pgoutput sends them. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as ClientConfig['types'];

/**
 * The catalog has no table of that name (dropped before its reading began). Retried like any
 * other failure should it ever end the task, but the snapshot engine ends only that table's
 * snapshot (isTableGone).
 */
export class TableGoneError extends TaskFailure {
  override readonly name = 'TableGoneError';
  readonly kind = 'other' as const;
  readonly retryable = true;
  constructor(schema: string, table: string) {
    super(`table ${schema}.${table} does not exist`);
  }
}

/** PostgreSQL's undefined_table: the table was dropped while a chunk of it was read. */
const UNDEFINED_TABLE = '42P01';

/** A missing table (dropped meanwhile): its snapshot ends, the others go on. */
export function isTableGone(error: unknown): boolean {
  return error instanceof TableGoneError || (error as { code?: string } | null)?.code === UNDEFINED_TABLE;
}

/**
 * One connection reading chunks: a short REPEATABLE READ transaction per chunk, never a lock.
 * The watermarks are non-transactional logical messages: written to the WAL at once, so the
 * stream sees them at the position they were written.
 */
export class SnapshotReader {
  private constructor(private readonly client: Client) {}

  static async connect(config: ClientConfig): Promise<SnapshotReader> {
    // DateStyle ISO: the text of dates and times is the stream's (the replication connection uses it too).
    const client = new Client({ ...config, options: '-c DateStyle=ISO', types: RAW_TEXT });
    await client.connect();
    client.on('error', () => undefined); // surfaced through the next query
    return new SnapshotReader(client);
  }

  async describe(schema: string, table: string): Promise<TableShape> {
    const rel = await this.client.query<{ oid: string; replident: ReplicaIdentity; reltuples: string; pages: string; row_bytes: string }>(
      `SELECT c.oid::text AS oid, c.relreplident::text AS replident, GREATEST(c.reltuples, 0)::bigint::text AS reltuples,
              CASE WHEN c.reltuples > 0 THEN (pg_total_relation_size(c.oid) / c.reltuples)::bigint ELSE 1000 END::text AS row_bytes,
              (pg_relation_size(c.oid) / current_setting('block_size')::int)::text AS pages
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, table],
    );
    if (!rel.rows.length) throw new TableGoneError(schema, table);
    const oid = Number(rel.rows[0].oid);
    // The columns pgoutput sends: not dropped, not generated, in attnum order.
    const cols = await this.client.query<{ name: string; typoid: string; typmod: string; type: string; pk: boolean; ri: boolean }>(
      `SELECT a.attname AS name, a.atttypid::text AS typoid, a.atttypmod::text AS typmod, format_type(a.atttypid, a.atttypmod) AS type,
              COALESCE((SELECT true FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey)), false) AS pk,
              COALESCE((SELECT true FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisreplident AND a.attnum = ANY(i.indkey)), false) AS ri
         FROM pg_attribute a
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY a.attnum`,
      [oid],
    );
    const keyOrder = await this.client.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = $1 AND (i.indisprimary OR (NOT EXISTS (SELECT 1 FROM pg_index p WHERE p.indrelid = $1 AND p.indisprimary) AND i.indisreplident))
        ORDER BY array_position(i.indkey, a.attnum)`,
      [oid],
    );
    const replident = rel.rows[0].replident;
    const names = cols.rows.map((c) => c.name);
    // This connection keeps every value as text: a boolean arrives as 't' or 'f'.
    const yes = (v: unknown) => v === true || v === 't';
    const isKey = (c: { pk: boolean; ri: boolean }) => replident === 'f' || (replident === 'd' && yes(c.pk)) || (replident === 'i' && yes(c.ri));
    const relation: RelationMessage = {
      tag: 'relation',
      relationId: oid,
      schema,
      table,
      replicaIdentity: replident,
      columns: cols.rows.map((c) => ({ flags: isKey(c) ? COLUMN_FLAG_KEY : 0, isKey: isKey(c), name: c.name, typeOid: Number(c.typoid), typeMod: Number(c.typmod) })),
    };
    const keyPositions = keyOrder.rows.length ? keyOrder.rows.map((k) => names.indexOf(k.name)) : null;
    return {
      schema,
      table,
      relation,
      types: cols.rows.map((c) => c.type),
      keyPositions: keyPositions && keyPositions.every((p) => p >= 0) ? keyPositions : null,
      rowsEstimated: Number(rel.rows[0].reltuples),
      bytesPerRow: Number(rel.rows[0].row_bytes),
      pages: Number(rel.rows[0].pages),
    };
  }

  /**
   * Reads one chunk between a low and a high watermark (the engine registered the chunk before
   * this is called, so the stream knows the low watermark when it arrives). `opened(xip)` runs
   * with S's in-progress transactions, `read(chunk)` once the rows are in memory, both before the
   * high watermark is written.
   */
  async readChunk(
    shape: TableShape,
    after: string[] | null,
    limit: number,
    chunkId: string,
    opened: (inProgress: Set<number>) => void,
    read: (chunk: ChunkRead) => void,
  ): Promise<void> {
    const { client } = this;
    const columns = shape.relation.columns.map((c) => quoteIdent(c.name)).join(', ') || 'NULL';
    const from = `${quoteIdent(shape.schema)}.${quoteIdent(shape.table)}`;
    // The low watermark first: whatever S does not see committed after it, but for what was still
    // running at S (its xip list, checked at the high watermark).
    await this.emit({ w: 'l', c: chunkId });
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    let chunk: ChunkRead;
    try {
      // The first statement of the transaction takes S.
      const snap = await client.query<{ xip: string[] | string | null }>(`SELECT ARRAY(SELECT pg_snapshot_xip(pg_current_snapshot()))::text[] AS xip`);
      opened(new Set(parseXip(snap.rows[0].xip).map((x) => Number(BigInt(x) & 0xffffffffn))));
      if (shape.keyPositions) {
        const keys = shape.keyPositions.map((p) => quoteIdent(shape.relation.columns[p].name));
        const params: unknown[] = [];
        let where = '';
        if (after) {
          const casts = shape.keyPositions.map((p, i) => {
            params.push(after[i]);
            return `$${i + 1}::${shape.types[p]}`;
          });
          where = `WHERE (${keys.join(', ')}) > (${casts.join(', ')})`;
        }
        params.push(limit);
        const { rows } = await client.query({ text: `SELECT ${columns} FROM ${from} ${where} ORDER BY ${keys.join(', ')} LIMIT $${params.length}`, values: params, rowMode: 'array' });
        const tuples = rows as Tuple[];
        const lastRow = tuples[tuples.length - 1];
        chunk = {
          rows: tuples,
          nextPosition: lastRow ? shape.keyPositions.map((p) => lastRow[p] as string) : after,
          last: tuples.length < limit,
        };
      } else {
        // ctid ranges of whole pages (a TID range scan); `limit` counts pages here.
        const start = after ? Number(after[0]) : 0;
        const end = start + Math.max(1, limit);
        const { rows } = await client.query({
          text: `SELECT ${columns} FROM ${from} WHERE ctid >= $1::tid AND ctid < $2::tid`,
          values: [`(${start},0)`, `(${end},0)`],
          rowMode: 'array',
        });
        chunk = { rows: rows as Tuple[], nextPosition: [String(end)], last: end >= shape.pages };
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    read(chunk);
    await this.emit({ w: 'h', c: chunkId });
  }

  private async emit(watermark: Watermark): Promise<void> {
    await this.client.query('SELECT pg_logical_emit_message(false, $1, $2)', [SNAPSHOT_MESSAGE_PREFIX, JSON.stringify(watermark)]);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** A text[] as the raw-text client returns it ('{1,2}'), or already parsed. */
function parseXip(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',') : [];
}
