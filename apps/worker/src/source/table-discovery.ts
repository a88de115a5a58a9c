import { qualifiedName, type PublicationPlan } from '@walbridge/domain';
import type { WorkerTableNotice } from '@walbridge/queue';
import type { SourceAdmin, TableRef } from './source-admin';

interface DiscoveryOptions {
  publication: string;
  plan: PublicationPlan;
  /** How often the streaming worker calls `poll` (the scheduler's WALBRIDGE_TABLE_DISCOVERY_MS): said in warnings. */
  everyMs: number;
  /** Database level: the task's schemas (none: every user schema). */
  schemas?: string[];
  /** Table level: the selected tables, re-added when one was dropped and created again. */
  selected?: TableRef[];
  log(level: 'info' | 'warning', message: string): void;
  notice(notice: WorkerTableNotice): void;
  /** The task backfills tables it takes late (policy.backfillAddedTables): no rows are missed. */
  backfill?: boolean;
  /** Tables the publication took since the start (the snapshot engine may read them now). */
  added?(tables: TableRef[], backfill: boolean): void;
}

interface SeenTable {
  schema: string;
  table: string;
  oid: number;
  keyed: boolean;
}

/**
 * Follows the tables of a streaming task (issue 12 item 3): a table created later in a captured
 * schema, or a selected table dropped and created again (or swapped in with RENAME), is noticed
 * by its identity (OID), not its name. A publication FOR ALL TABLES / TABLES IN SCHEMA has it
 * already, from its first row; a table-list publication gets it added here, and when the table
 * already held rows by then, the log and a notice say those rows were not delivered, unless the
 * task backfills added tables (policy.backfillAddedTables): then `added` asks for a backfill, which
 * the snapshot engine merges with the stream, so the table arrives complete. A table
 * without a key and without REPLICA IDENTITY FULL is never silent: a warning and a notice.
 */
export class TableDiscovery {
  private readonly seen = new Map<number, SeenTable>();
  /** Keyless tables a table-list publication left out: added once they get a key. */
  private readonly waiting = new Set<number>();
  private busy = false;

  constructor(
    private readonly admin: SourceAdmin,
    private readonly options: DiscoveryOptions,
  ) {}

  private get followsSchemas(): boolean {
    return this.options.plan.kind === 'existing' || this.options.plan.kind === 'allTables' || this.options.plan.kind === 'schemas';
  }

  /** The tables at the start are not new; keyless ones a schema publication took are announced. */
  async start(): Promise<void> {
    for (const t of await this.look()) {
      this.seen.set(t.oid, t);
      if (!t.keyed && this.followsSchemas) this.keyless(t, true);
      if (!t.keyed && !this.followsSchemas) {
        // Left out of the publication at the start (and logged then): a notice, then added once it has a key.
        this.waiting.add(t.oid);
        this.keyless(t, false, false);
      }
    }
  }

  /** One look (the streaming worker calls it every `everyMs`); overlapping calls are skipped. */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = await this.look();
      const published = this.followsSchemas ? null : await this.admin.publishedTables(this.options.publication);
      for (const t of now) {
        const before = this.seen.get(t.oid);
        this.seen.set(t.oid, t);
        if (before && !this.waiting.has(t.oid)) continue;
        if (this.followsSchemas) {
          if (!before) this.newInSchemaPublication(t);
          continue;
        }
        if (published!.has(`${t.schema}.${t.table}`)) {
          this.waiting.delete(t.oid);
          continue;
        }
        if (!t.keyed) {
          if (!this.waiting.has(t.oid)) this.keyless(t, false);
          this.waiting.add(t.oid);
          continue;
        }
        this.waiting.delete(t.oid);
        await this.addLate(t, before === undefined);
      }
      const present = new Set(now.map((t) => t.oid));
      for (const oid of [...this.seen.keys()]) if (!present.has(oid)) this.seen.delete(oid);
    } finally {
      this.busy = false;
    }
  }

  private async look(): Promise<SeenTable[]> {
    const { schemas, selected } = this.options;
    if (!selected) return this.admin.tableIdentities(schemas);
    const wanted = new Set(selected.map((t) => `${t.schema}.${t.table}`));
    const all = await this.admin.tableIdentities([...new Set(selected.map((t) => t.schema))]);
    return all.filter((t) => wanted.has(`${t.schema}.${t.table}`));
  }

  private newInSchemaPublication(t: SeenTable): void {
    // In the publication since its creation: nothing to backfill, but a backfill may name it.
    this.options.added?.([{ schema: t.schema, table: t.table }], false);
    if (!t.keyed) return this.keyless(t, true);
    this.options.log('info', `new table ${t.schema}.${t.table} is captured from its first row (publication ${this.options.publication} follows its schema)`);
  }

  /** A table-list publication takes the table now: rows it held already were never delivered. */
  private async addLate(t: SeenTable, created: boolean): Promise<void> {
    const name = `${t.schema}.${t.table}`;
    try {
      await this.admin.addToPublication(this.options.publication, [t]);
    } catch (error) {
      // Dropped again before we got to it, or renamed: the next look sees what is there then.
      this.seen.delete(t.oid);
      this.options.log('warning', `could not add table ${name} to publication ${this.options.publication}: ${(error as Error).message}; trying again`);
      return;
    }
    const what = created ? (this.options.selected ? 'selected table' : 'new table') : 'keyed';
    const backfill = !!this.options.backfill;
    // Before the announcement: the backfill must be asked for even if looking at the rows fails.
    this.options.added?.([{ schema: t.schema, table: t.table }], backfill);
    await announceLateTables(this.admin, this.options.publication, [t], what, this.options.log, this.options.notice, backfill);
  }

  private keyless(t: SeenTable, published: boolean, log = true): void {
    const name = `${t.schema}.${t.table}`;
    const fix = `ALTER TABLE ${qualifiedName(t.schema, t.table)} REPLICA IDENTITY FULL; (or add a primary key)`;
    const detail = published
      ? `table ${name} has no primary key and no REPLICA IDENTITY FULL, and publication ${this.options.publication} takes it with its schema: ` +
        `UPDATE and DELETE on it fail on the source until it gets one (${fix}); its INSERTs are captured`
      : `table ${name} has no primary key and no REPLICA IDENTITY FULL: it is not captured (publishing it would make UPDATE and DELETE on it fail ` +
        `on the source); ${fix}, and it is added within ${Math.round(this.options.everyMs / 1000)} s (rows written before then are not delivered)`;
    if (log) this.options.log('warning', detail);
    this.options.notice({ event: 'keyless', table: name, oid: t.oid, detail });
  }
}

/**
 * Tables just added to a table-list publication: an empty one is captured from its first row; one
 * that already held rows gets a warning and a notice, since those rows were never delivered.
 */
export async function announceLateTables(
  admin: SourceAdmin,
  publication: string,
  tables: TableRef[],
  what: 'new table' | 'selected table' | 'keyed' | 'table',
  log: DiscoveryOptions['log'],
  notice: DiscoveryOptions['notice'],
  backfilled = false,
): Promise<void> {
  if (!tables.length) return;
  const oids = new Map((await admin.tableIdentities([...new Set(tables.map((t) => t.schema))])).map((t) => [`${t.schema}.${t.table}`, t.oid]));
  for (const t of tables) {
    const name = `${t.schema}.${t.table}`;
    const subject = what === 'keyed' ? `table ${name}, which now has a key,` : `${what} ${name}`;
    if (backfilled) {
      // Rows it held before it was added (or written while it was being added) come through the backfill.
      log('info', `${subject} was added to publication ${publication}: captured from now on, and a backfill reads the rows it already held`);
      continue;
    }
    if (!(await admin.hasRows(t).catch(() => true))) {
      log('info', `${subject} was added to publication ${publication} while still empty: captured from its first row`);
      continue;
    }
    const detail =
      `${subject} was added to publication ${publication} only now, and it already held rows: rows written to it before ` +
      'they were added are not delivered by the stream; its changes from now on are. ' +
      'Read them with a backfill (POST /api/v1/tasks/{id}/backfills), or have a superuser create the publication FOR TABLES IN SCHEMA so that new tables are captured from their first row';
    log('warning', detail);
    notice({ event: 'addedLate', table: name, oid: oids.get(name) ?? 0, detail });
  }
}
