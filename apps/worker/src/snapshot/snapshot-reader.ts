import { Client, type ClientConfig } from 'pg';
import { readTableHeaps } from '@walbridge/connectors';
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
  /**
   * Where a table without a key is read by ctid: the table itself, or for a partitioned table
   * (which has no heap of its own) each leaf partition, laid end to end in one page space.
   */
  heaps: HeapRange[];
  /** The largest row seen so far (text bytes): how many rows one FETCH may ask for. */
  maxRowBytes: number;
}

/** A heap read by ctid ranges, and where its pages start in the table's page space. */
export interface HeapRange {
  schema: string;
  table: string;
  firstPage: number;
  pages: number;
}

export interface ChunkRead {
  rows: Tuple[];
  /** The position after this chunk: the key of its last row, or the next block. null: nothing read. */
  nextPosition: string[] | null;
  /** The table has no more rows to read after this chunk. */
  last: boolean;
}

/** What one chunk may hold in memory unless the engine says otherwise. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** Rows of one FETCH: at most this many bytes of values, and never more than 16 rows until their size is known. */
const FETCH_BYTES = 1024 * 1024;
const FIRST_FETCH_ROWS = 16;

function fetchCount(maxRowBytes: number): number {
  return Math.max(1, Math.floor(FETCH_BYTES / Math.max(1, maxRowBytes)));
}

/** Text bytes of a row's first `width` values (what they take in memory, roughly, before encoding). */
export function rowBytes(row: Tuple, width: number = row.length): number {
  let bytes = 0;
  for (let i = 0; i < width; i++) {
    const v = row[i];
    bytes += typeof v === 'string' ? v.length : v instanceof Buffer ? v.length : 4;
  }
  return bytes;
}

function columnList(shape: TableShape): string {
  return shape.relation.columns.map((c) => quoteIdent(c.name)).join(', ') || 'NULL';
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
    const rel = await this.client.query<{ oid: string; replident: ReplicaIdentity; reltuples: string; pages: string; row_bytes: string; kind: string }>(
      `SELECT c.oid::text AS oid, c.relreplident::text AS replident, c.relkind::text AS kind, GREATEST(c.reltuples, 0)::bigint::text AS reltuples,
              CASE WHEN c.reltuples > 0 THEN (pg_total_relation_size(c.oid) / c.reltuples)::bigint ELSE 1000 END::text AS row_bytes,
              (pg_relation_size(c.oid) / current_setting('block_size')::int)::text AS pages
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, table],
    );
    if (!rel.rows.length) throw new TableGoneError(schema, table);
    const oid = Number(rel.rows[0].oid);
    // A partitioned table holds no rows itself: its estimates and its heaps are its leaves'.
    const partitioned = rel.rows[0].kind === 'p';
    const leaves = partitioned ? await readTableHeaps(this.client, [oid]) : [];
    const heaps: HeapRange[] = [];
    let pageCount = 0;
    for (const leaf of leaves) {
      heaps.push({ schema: leaf.schema, table: leaf.table, firstPage: pageCount, pages: leaf.pages });
      pageCount += leaf.pages;
    }
    const leafRows = leaves.reduce((n, l) => n + l.rowsEstimated, 0);
    const leafBytes = leaves.reduce((n, l) => n + l.bytes, 0);
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
      rowsEstimated: partitioned ? leafRows : Number(rel.rows[0].reltuples),
      bytesPerRow: partitioned ? (leafRows > 0 ? Math.ceil(leafBytes / leafRows) : 1000) : Number(rel.rows[0].row_bytes),
      pages: partitioned ? pageCount : Number(rel.rows[0].pages),
      heaps: partitioned ? heaps : [{ schema, table, firstPage: 0, pages: Number(rel.rows[0].pages) }],
      maxRowBytes: 0,
    };
  }

  /**
   * Reads one chunk between a low and a high watermark (the engine registered the chunk before
   * this is called, so the stream knows the low watermark when it arrives). `opened(xip)` runs
   * with S's in-progress transactions, `read(chunk)` once the rows are in memory, both before the
   * high watermark is written. The chunk ends at `limit` rows (pages without a key) or once its
   * rows hold `maxBytes` of text, whichever comes first: rows are fetched through a cursor a few
   * at a time, so a table of 5 MB rows never has more than about `maxBytes` in the worker's heap.
   * The high watermark waits for `beforeHigh` (the chunk before being acknowledged): the window
   * only grows, which drops no row the stream did not change.
   */
  async readChunk(
    shape: TableShape,
    after: string[] | null,
    limit: number,
    chunkId: string,
    opened: (inProgress: Set<number>) => void,
    read: (chunk: ChunkRead) => void,
    maxBytes: number = DEFAULT_CHUNK_BYTES,
    beforeHigh: Promise<void> = Promise.resolve(),
  ): Promise<void> {
    const { client } = this;
    // The low watermark first: whatever S does not see committed after it, but for what was still
    // running at S (its xip list, checked at the high watermark).
    await this.emit({ w: 'l', c: chunkId });
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    let chunk: ChunkRead;
    try {
      // The first statement of the transaction takes S.
      const snap = await client.query<{ xip: string[] | string | null }>(`SELECT ARRAY(SELECT pg_snapshot_xip(pg_current_snapshot()))::text[] AS xip`);
      opened(new Set(parseXip(snap.rows[0].xip).map((x) => Number(BigInt(x) & 0xffffffffn))));
      chunk = shape.keyPositions ? await this.keyChunk(shape, shape.keyPositions, after, limit, maxBytes) : await this.ctidChunk(shape, after, limit, maxBytes);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    read(chunk);
    await beforeHigh;
    await this.emitFlushed({ w: 'h', c: chunkId });
  }

  /** The next rows in key order after `after`. */
  private async keyChunk(shape: TableShape, keyPositions: number[], after: string[] | null, limit: number, maxBytes: number): Promise<ChunkRead> {
    const keys = keyPositions.map((p) => quoteIdent(shape.relation.columns[p].name));
    const params: unknown[] = [];
    let where = '';
    if (after) {
      const casts = keyPositions.map((p, i) => {
        params.push(after[i]);
        return `$${i + 1}::${shape.types[p]}`;
      });
      where = `WHERE (${keys.join(', ')}) > (${casts.join(', ')})`;
    }
    params.push(limit);
    const sql = `SELECT ${columnList(shape)} FROM ${quoteIdent(shape.schema)}.${quoteIdent(shape.table)} ${where} ORDER BY ${keys.join(', ')} LIMIT $${params.length}`;
    const { rows, complete } = await this.fetchBounded(shape, sql, params, limit, maxBytes, 0);
    const lastRow = rows[rows.length - 1];
    return {
      rows,
      nextPosition: lastRow ? keyPositions.map((p) => lastRow[p] as string) : after,
      // Fewer rows than asked for, and not because of the byte budget: the table ends here.
      last: complete && rows.length < limit,
    };
  }

  /**
   * Whole pages of one heap by a TID range scan (`limit` counts pages here), in ctid order, so a
   * chunk cut short by its byte budget resumes after its last row: the position is then
   * [page, item] instead of [page]. A partitioned table's leaves follow each other in one page space.
   */
  private async ctidChunk(shape: TableShape, after: string[] | null, limit: number, maxBytes: number): Promise<ChunkRead> {
    const page = after ? Number(after[0]) : 0;
    const item = after && after.length > 1 ? Number(after[1]) : null;
    const heap = shape.heaps.find((h) => page >= h.firstPage && page < h.firstPage + h.pages);
    if (!heap) return { rows: [], nextPosition: [String(shape.pages)], last: true };
    const local = page - heap.firstPage;
    const end = Math.min(local + Math.max(1, limit), heap.pages);
    const sql =
      `SELECT ${columnList(shape)}, ctid::text FROM ONLY ${quoteIdent(heap.schema)}.${quoteIdent(heap.table)} ` +
      `WHERE ctid ${item === null ? '>=' : '>'} $1::tid AND ctid < $2::tid ORDER BY ctid`;
    const { rows, complete } = await this.fetchBounded(shape, sql, [`(${local},${item ?? 0})`, `(${end},0)`], Number.MAX_SAFE_INTEGER, maxBytes, 1);
    const width = shape.relation.columns.length;
    if (!complete && rows.length) {
      const tid = /^\((\d+),(\d+)\)$/.exec(rows[rows.length - 1][width] as string)!;
      return { rows: rows.map((r) => r.slice(0, width)), nextPosition: [String(heap.firstPage + Number(tid[1])), tid[2]], last: false };
    }
    const next = heap.firstPage + end;
    return { rows: rows.map((r) => r.slice(0, width)), nextPosition: [String(next)], last: next >= shape.pages };
  }

  /**
   * Runs `sql` through a cursor, fetching a few rows at a time (fewer as rows get larger) until
   * `limit` rows, the end, or `maxBytes` of values. `complete`: the query had no more rows.
   * `extra` trailing columns (the ctid) are not counted as row bytes.
   */
  private async fetchBounded(shape: TableShape, sql: string, params: unknown[], limit: number, maxBytes: number, extra: number): Promise<{ rows: Tuple[]; complete: boolean }> {
    const { client } = this;
    await client.query({ text: `DECLARE walbridge_chunk NO SCROLL CURSOR FOR ${sql}`, values: params });
    const rows: Tuple[] = [];
    let bytes = 0;
    // The first fetch is small unless the table's rows are known to be small; then it grows.
    let ask = shape.maxRowBytes > 0 ? fetchCount(shape.maxRowBytes) : FIRST_FETCH_ROWS;
    for (;;) {
      const want = Math.max(1, Math.min(ask, limit - rows.length));
      const { rows: got } = await client.query({ text: `FETCH ${want} FROM walbridge_chunk`, rowMode: 'array' });
      for (const row of got as Tuple[]) {
        const size = rowBytes(row, row.length - extra);
        if (size > shape.maxRowBytes) shape.maxRowBytes = size;
        bytes += size;
        rows.push(row);
      }
      if (got.length < want) return this.closeCursor(rows, true);
      if (rows.length >= limit) return this.closeCursor(rows, true);
      if (bytes >= maxBytes) return this.closeCursor(rows, false);
      ask = Math.min(ask * 4, fetchCount(shape.maxRowBytes), Math.max(1, Math.floor((maxBytes - bytes) / Math.max(1, shape.maxRowBytes))));
    }
  }

  private async closeCursor(rows: Tuple[], complete: boolean): Promise<{ rows: Tuple[]; complete: boolean }> {
    await this.client.query('CLOSE walbridge_chunk');
    return { rows, complete };
  }

  private async emit(watermark: Watermark): Promise<void> {
    await this.client.query('SELECT pg_logical_emit_message(false, $1, $2)', [SNAPSHOT_MESSAGE_PREFIX, JSON.stringify(watermark)]);
  }

  /**
   * The high watermark, flushed at once: the walsender sends only flushed WAL, and a
   * non-transactional message is flushed by the next commit or the WAL writer's next round
   * (wal_writer_delay, 200 ms by default; on a source that commits little else, every chunk
   * waited that long). A transaction with an xid commits with synchronous_commit = local, which
   * flushes the WAL up to its commit record, the watermark before it. One round trip, and one
   * xid per chunk; an empty transaction, so the stream shows nothing of it.
   */
  private async emitFlushed(watermark: Watermark): Promise<void> {
    const { client } = this;
    const message = `SELECT pg_logical_emit_message(false, ${client.escapeLiteral(SNAPSHOT_MESSAGE_PREFIX)}, ${client.escapeLiteral(JSON.stringify(watermark))})`;
    try {
      await client.query(`BEGIN; SET LOCAL synchronous_commit = local; ${message}; SELECT txid_current(); COMMIT`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
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
