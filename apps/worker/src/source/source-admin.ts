import { Client } from 'pg';
import { RelationDescriber, describeTables, relationIds, tablesOfSchemas } from '@walbridge/connectors';
import {
  decideSlot,
  parseLsn,
  quoteIdent,
  quoteLiteral,
  type ObservedSlot,
  type RelationMessage,
  type RelationSchema,
  type SlotHistory,
  type SlotWalFigures,
} from '@walbridge/domain';

export interface TableRef {
  schema: string;
  table: string;
}

/** How the task's note on its publication starts (see SourceAdmin#publicationNote). */
const PUBLICATION_NOTE = 'walbridge tables by oid: ';

/**
 * The worker's ordinary (non-replication) connection to the source: slot and publication
 * management, catalog lookups the pgoutput stream does not carry, and heartbeats.
 */
export class SourceAdmin {
  private readonly describer: RelationDescriber;
  private constructor(private readonly client: Client, readonly database: string) {
    this.describer = new RelationDescriber(client, database);
  }

  static async connect(config: ConstructorParameters<typeof Client>[0] & { database?: string }): Promise<SourceAdmin> {
    const client = new Client(config);
    await client.connect();
    client.on('error', () => undefined); // surfaced through the next query instead
    return new SourceAdmin(client, (config as { database: string }).database);
  }

  async serverVersionNum(): Promise<number> {
    const { rows } = await this.client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return Number(rows[0].v);
  }

  /**
   * Refuses tables a publication must not take: missing ones, and tables whose UPDATE and
   * DELETE would fail on the source once published (no primary key and REPLICA IDENTITY
   * DEFAULT, or NOTHING). The precheck finds these before a start; this also covers tables
   * added to a running task.
   */
  async checkPublishable(tables: TableRef[]): Promise<{ table: TableRef; problem: string }[]> {
    const facts = await describeTables(this.client, tables);
    const problems: { table: TableRef; problem: string }[] = [];
    facts.forEach((t, i) => {
      const name = `${t.schema}.${t.table}`;
      let problem: string | null = null;
      if (!t.exists) problem = `${name} does not exist`;
      else if (t.kind !== 'r' && t.kind !== 'p') problem = `${name} is not a table`;
      else if (t.persistence !== 'p') problem = `${name} is ${t.persistence === 'u' ? 'unlogged' : 'temporary'}: its changes are not in the WAL`;
      else if (t.replident === 'n' || (t.replident === 'd' && !t.pk.length)) {
        problem = `${name} has no primary key and no REPLICA IDENTITY FULL: once published, UPDATE and DELETE on it would fail on the source`;
      }
      if (problem) problems.push({ table: tables[i], problem });
    });
    return problems;
  }

  /** Creates the publication, or brings its table list in line with the task's selection. */
  async ensurePublication(name: string, tables: TableRef[]): Promise<'created' | 'updated' | 'unchanged'> {
    const list = tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ');
    const { rows } = await this.client.query<{ schemaname: string; tablename: string }>(
      'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1',
      [name],
    );
    // pubviaroot exists from PostgreSQL 13 on: read through to_jsonb so older servers answer too.
    const publication = await this.client.query<{ via_root: boolean | null }>(
      `SELECT (to_jsonb(p) ->> 'pubviaroot')::boolean AS via_root FROM pg_publication p WHERE pubname = $1`,
      [name],
    );
    // Partitioned tables publish their changes under the parent's name (PRODUCT.md §5).
    const canViaRoot = (await this.serverVersionNum()) >= 130000;
    if (!publication.rowCount) {
      await this.client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${list}${canViaRoot ? ' WITH (publish_via_partition_root = true)' : ''}`);
      return 'created';
    }
    let changed = false;
    if (canViaRoot && publication.rows[0].via_root !== true) {
      // Created without it (by an older version, or by hand): partitions would publish under their own names.
      await this.client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET (publish_via_partition_root = true)`);
      changed = true;
    }
    const have = new Set(rows.map((r) => `${r.schemaname}.${r.tablename}`));
    const want = new Set(tables.map((t) => `${t.schema}.${t.table}`));
    if (have.size === want.size && [...want].every((t) => have.has(t))) return changed ? 'updated' : 'unchanged';
    await this.client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
    return 'updated';
  }

  /** What kind of publication exists under the name: FOR ALL TABLES, FOR TABLES IN SCHEMA, or a table list. */
  async publicationInfo(name: string): Promise<{ exists: boolean; allTables: boolean; schemas: string[] }> {
    const { rows } = await this.client.query<{ all: boolean }>('SELECT puballtables AS all FROM pg_publication WHERE pubname = $1', [name]);
    if (!rows.length) return { exists: false, allTables: false, schemas: [] };
    // pg_publication_namespace exists from PostgreSQL 15 on.
    const hasNamespaces = (await this.client.query<{ t: string | null }>(`SELECT to_regclass('pg_catalog.pg_publication_namespace')::text AS t`)).rows[0].t;
    const schemas = hasNamespaces
      ? (
          await this.client.query<{ nspname: string }>(
            `SELECT n.nspname FROM pg_publication_namespace pn JOIN pg_publication p ON p.oid = pn.pnpubid
               JOIN pg_namespace n ON n.oid = pn.pnnspid WHERE p.pubname = $1 ORDER BY 1`,
            [name],
          )
        ).rows.map((r) => r.nspname)
      : [];
    return { exists: true, allTables: rows[0].all, schemas };
  }

  async isSuperuser(): Promise<boolean> {
    const { rows } = await this.client.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user');
    return rows[0]?.s === true;
  }

  /**
   * A publication that follows the schemas by itself (PostgreSQL adds tables created later):
   * FOR ALL TABLES, or FOR TABLES IN SCHEMA (a table-list publication of ours is turned into
   * one in place: dropping it would break decoding of the WAL written meanwhile).
   */
  async ensureSchemaPublication(name: string, schemas: string[] | null): Promise<'created' | 'updated'> {
    const viaRoot = ' WITH (publish_via_partition_root = true)';
    const list = (schemas ?? []).map(quoteIdent).join(', ');
    const exists = (await this.client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount;
    if (!exists) {
      await this.client.query(`CREATE PUBLICATION ${quoteIdent(name)} ${schemas ? `FOR TABLES IN SCHEMA ${list}` : 'FOR ALL TABLES'}${viaRoot}`);
      return 'created';
    }
    await this.client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLES IN SCHEMA ${list}`);
    await this.client.query(`ALTER PUBLICATION ${quoteIdent(name)} SET (publish_via_partition_root = true)`);
    return 'updated';
  }

  /** Tables of a table-list publication now (a dropped table leaves it by itself). */
  async publishedTables(name: string): Promise<Set<string>> {
    const { rows } = await this.client.query<{ schemaname: string; tablename: string }>(
      'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1',
      [name],
    );
    return new Set(rows.map((r) => `${r.schemaname}.${r.tablename}`));
  }

  /** Adds discovered tables to a table-list publication. */
  async addToPublication(name: string, tables: TableRef[]): Promise<void> {
    if (!tables.length) return;
    await this.client.query(`ALTER PUBLICATION ${quoteIdent(name)} ADD TABLE ${tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ')}`);
  }

  /**
   * The capturable tables (permanent tables and partition roots) of the schemas, with their
   * identity (OID) and whether UPDATE and DELETE could be published for them: what discovery
   * compares between two looks.
   */
  async tableIdentities(schemas: string[] | undefined): Promise<{ schema: string; table: string; oid: number; keyed: boolean }[]> {
    const { rows } = await this.client.query<{ schema: string; table: string; oid: number; keyed: boolean }>(
      `SELECT n.nspname AS schema, c.relname AS table, c.oid::int8 AS oid,
              c.relreplident = 'f' OR (c.relreplident = 'i' AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident))
                OR (c.relreplident = 'd' AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)) AS keyed
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
          AND ($1::text[] IS NULL OR n.nspname = ANY($1))
        ORDER BY 1, 2`,
      [schemas?.length ? schemas : null],
    );
    return rows.map((r) => ({ ...r, oid: Number(r.oid) }));
  }

  /** Whether the table holds any row (a table added to the publication late may have lost some). */
  async hasRows(table: TableRef): Promise<boolean> {
    const { rows } = await this.client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(table.schema)}.${quoteIdent(table.table)}) AS any`);
    return rows[0].any;
  }

  /**
   * Uses the task's slot, or creates it on a first start; returns the creation point when it
   * created one. A slot the task created or confirmed a position in is never created again: it
   * was dropped or invalidated, and a new one would skip every change since (`decideSlot`).
   */
  async ensureSlot(name: string, history: SlotHistory): Promise<string | null> {
    const { observed, plugin, wal } = await this.observeSlot(name);
    if (observed.exists && plugin !== 'pgoutput') throw new Error(`replication slot ${name} exists with plugin ${plugin ?? 'none (a physical slot)'}, not pgoutput`);
    const decision = decideSlot(name, observed, history, wal);
    if (decision.action === 'lost') throw decision.error;
    if (decision.action === 'use') return null;
    return this.createSlot(name);
  }

  /** The slot as the server shows it, with the WAL figures a lost slot is reported with. */
  async observeSlot(name: string): Promise<{ observed: ObservedSlot; plugin: string | null; wal: SlotWalFigures }> {
    // wal_status exists from PostgreSQL 13 on: read through to_jsonb so older servers answer too.
    const { rows } = await this.client.query<{ slot_name: string | null; plugin: string | null; wal_status: string | null; confirmed: string | null; current: string; behind: string | null; keep: string | null }>(
      `SELECT s.slot_name, s.plugin, to_jsonb(s) ->> 'wal_status' AS wal_status, s.confirmed_flush_lsn::text AS confirmed,
              pg_current_wal_lsn()::text AS current,
              pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint::text AS behind,
              current_setting('max_slot_wal_keep_size', true) AS keep
         FROM (SELECT 1) one LEFT JOIN pg_replication_slots s ON s.slot_name = $1`,
      [name],
    );
    const row = rows[0];
    const exists = row.slot_name !== null;
    return {
      observed: { exists, walStatus: row.wal_status, confirmedLsn: row.confirmed },
      plugin: row.plugin,
      wal: { currentLsn: row.current, maxSlotWalKeepSize: row.keep, behindBytes: row.behind === null ? null : Math.max(0, Number(row.behind)) },
    };
  }

  /** Where the slot will resume: what was last confirmed, i.e. durable in Kafka. */
  async slotConfirmedLsn(name: string): Promise<bigint> {
    const { rows } = await this.client.query<{ lsn: string | null }>(
      'SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1',
      [name],
    );
    return rows[0]?.lsn ? parseLsn(rows[0].lsn) : 0n;
  }

  /** Where the source's WAL ends now: what was committed before this point is the backlog of a starting stream. */
  async currentWalLsn(): Promise<bigint> {
    const { rows } = await this.client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    return parseLsn(rows[0].lsn);
  }

  /** OIDs of tables named by schema and table (null for a name no table has now). */
  relationIds(tables: TableRef[]): Promise<(number | null)[]> {
    return relationIds(this.client, tables);
  }

  /** Which of these relation OIDs no longer exist (dropped tables). */
  async missingRelations(oids: number[]): Promise<number[]> {
    if (!oids.length) return [];
    const { rows } = await this.client.query<{ oid: string }>(
      'SELECT o::int8 AS oid FROM unnest($1::oid[]) AS o WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = o)',
      [oids],
    );
    return rows.map((r) => Number(r.oid));
  }

  /** The tables a publication holds (it holds them by OID: a renamed table stays in it), under their names now. */
  async publicationTables(name: string): Promise<(TableRef & { relid: number })[]> {
    const { rows } = await this.client.query<{ relid: string; schema: string; table: string }>(
      `SELECT c.oid::int8 AS relid, n.nspname AS schema, c.relname AS table
         FROM pg_publication p JOIN pg_publication_rel r ON r.prpubid = p.oid
         JOIN pg_class c ON c.oid = r.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE p.pubname = $1`,
      [name],
    );
    return rows.map((r) => ({ relid: Number(r.relid), schema: r.schema, table: r.table }));
  }

  /**
   * What the task recorded on its publication about its tables: the name each was selected under,
   * by OID (a COMMENT on the publication, which the task owns). Empty when there is none or it is
   * not ours (a publication a DBA made).
   */
  async publicationNote(name: string): Promise<Map<number, string>> {
    const { rows } = await this.client.query<{ note: string | null }>(
      `SELECT obj_description(p.oid, 'pg_publication') AS note FROM pg_publication p WHERE p.pubname = $1`,
      [name],
    );
    const note = rows[0]?.note;
    const out = new Map<number, string>();
    if (!note?.startsWith(PUBLICATION_NOTE)) return out;
    try {
      for (const [oid, selected] of Object.entries(JSON.parse(note.slice(PUBLICATION_NOTE.length)) as Record<string, unknown>)) {
        if (typeof selected === 'string' && /^\d+$/.test(oid)) out.set(Number(oid), selected);
      }
    } catch {
      // Edited by hand: no record.
    }
    return out;
  }

  /** Records the selected name of each published table by OID (see publicationNote); best effort. */
  async recordPublicationNote(name: string, selected: Map<number, string>): Promise<void> {
    const note = PUBLICATION_NOTE + JSON.stringify(Object.fromEntries(selected));
    await this.client.query(`COMMENT ON PUBLICATION ${quoteIdent(name)} IS ${quoteLiteral(note)}`).catch(() => undefined);
  }

  /** Tables of the given schemas (all user schemas when none are given), for database-level tasks. */
  listTables(schemas: string[] | undefined): Promise<TableRef[]> {
    return tablesOfSchemas(this.client, schemas);
  }

  /** Drops the slot (waiting briefly for a walsender still releasing it) and the publication. */
  async dropSlotAndPublication(slot: string, publication: string): Promise<void> {
    await this.dropSlot(slot);
    await this.client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(publication)}`);
  }

  /**
   * Drops the slot if it exists. A walsender of a worker that was just killed may still hold it
   * for a moment; one that holds it for 10 s belongs to someone else, and we refuse.
   */
  async dropSlot(slot: string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const { rows } = await this.client.query<{ active_pid: number | null }>(
        'SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      if (!rows.length) return false;
      if (rows[0].active_pid === null) {
        await this.client.query('SELECT pg_drop_replication_slot($1)', [slot]);
        return true;
      }
      if (attempt >= 50) throw new Error(`replication slot ${slot} is still in use by pid ${rows[0].active_pid}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Creates the slot at the current WAL position; returns that position (its consistent point). */
  async createSlot(slot: string): Promise<string> {
    const { rows } = await this.client.query<{ lsn: string }>(`SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    return rows[0].lsn;
  }

  /** Whether the slot exists and how much WAL it keeps the server from recycling. */
  async slotInfo(slot: string): Promise<{ exists: boolean; retainedWalBytes: number | null; confirmedLsn: string | null }> {
    const { rows } = await this.client.query<{ retained: string | null; confirmed: string | null }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS retained,
              confirmed_flush_lsn::text AS confirmed
         FROM pg_replication_slots WHERE slot_name = $1`,
      [slot],
    );
    if (!rows.length) return { exists: false, retainedWalBytes: null, confirmedLsn: null };
    return {
      exists: true,
      retainedWalBytes: rows[0].retained === null ? null : Math.max(0, Number(rows[0].retained)),
      confirmedLsn: rows[0].confirmed,
    };
  }

  /**
   * The relation as the Relation message describes it, completed from the catalog (see
   * RelationDescriber: the precheck derives the same schemas from it).
   */
  describeRelation(relation: RelationMessage): Promise<RelationSchema> {
    return this.describer.describe(relation);
  }

  /** A WAL record in the stream even when the selected tables are idle, so delay stays measurable. */
  async emitHeartbeat(): Promise<void> {
    await this.client.query(`SELECT pg_logical_emit_message(false, 'walbridge', now()::text)`);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
