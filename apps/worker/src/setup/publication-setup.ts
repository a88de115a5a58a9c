import type { TableSelection } from '@walbridge/contracts';
import { backfillsAddedTables, describePublicationPlan, planPublication, type PublicationPlan } from '@walbridge/domain';
import type { WorkerTaskConfig, WorkerToScheduler } from '@walbridge/queue';
import { ConfigurationError } from '../routing';
import type { SourceAdmin, TableRef } from '../source/source-admin';
import { announceLateTables } from '../source/table-discovery';

export interface PublicationContext {
  config: WorkerTaskConfig;
  /** How often the streaming worker looks for new tables (said in the log of a discovering plan). */
  tableDiscoveryMs: number;
  report(message: WorkerToScheduler): void;
  log(level: 'info' | 'warning', message: string): void;
}

/** The tables a publication holds for the task, as set-up found them. */
export interface PublishedTables {
  /** The tables under their names now. */
  tables: TableRef[];
  /** The names their topics come from (the selected ones: a renamed table keeps its topic). */
  topicTables: TableRef[];
  /** The selected tables of a table-level task by OID. */
  tableOids: Map<number, TableSelection>;
  /** How the publication follows the tables. */
  plan: PublicationPlan;
}

/**
 * Publication set-up (stream, and the one-shot publish of tables edited while paused): checks
 * the selected tables, follows the ones renamed while the task was not streaming, and brings the
 * publication in line with them (PRODUCT.md §4 "edit objects").
 */
export class PublicationSetup {
  private plan: PublicationPlan = { kind: 'tables' };

  constructor(private readonly context: PublicationContext) {}

  /**
   * Checks the selected tables and brings the publication in line with them. Returns the tables
   * under their names now, the names their topics come from (the selected ones), and the
   * selected tables of a table-level task by OID.
   */
  async publish(admin: SourceAdmin): Promise<PublishedTables> {
    const { config } = this.context;
    const tableOids = new Map<number, TableSelection>();
    let tables = await this.selectedTables(admin);
    let topicTables = tables;
    if (config.policy.objectScope === 'tables') {
      const followed = await this.followRenamed(admin);
      tables = followed.tables;
      for (const [oid, selection] of followed.oids) tableOids.set(oid, selection);
    }
    const problems = await admin.checkPublishable(tables);
    if (problems.length && config.policy.objectScope === 'tables') {
      throw new ConfigurationError(`the publication cannot take the selected tables: ${problems.map((p) => p.problem).join('; ')}`);
    }
    if (config.policy.objectScope === 'database') {
      this.plan = planPublication({
        objectScope: 'database',
        schemas: config.policy.schemas,
        superuser: await admin.isSuperuser(),
        versionNum: await admin.serverVersionNum(),
        publication: await admin.publicationInfo(config.publicationName),
      });
      const how = describePublicationPlan(this.plan, config.publicationName, Math.round(this.context.tableDiscoveryMs / 1000));
      if (this.plan.kind === 'existing') {
        this.context.log('info', how);
        return { tables, topicTables, tableOids, plan: this.plan };
      }
      if (this.plan.kind === 'allTables' || this.plan.kind === 'schemas') {
        const done = await admin.ensureSchemaPublication(config.publicationName, this.plan.kind === 'schemas' ? this.plan.schemas : null);
        this.context.log('info', `${how} (${done})`);
        return { tables, topicTables, tableOids, plan: this.plan };
      }
      this.context.log('info', how);
    }
    if (problems.length) {
      // A database-level task captures what it can: a new table without a key must not break the others.
      this.context.log('warning', `not captured: ${problems.map((p) => p.problem).join('; ')}`);
      tables = tables.filter((t) => !problems.some((p) => p.table === t));
      topicTables = tables;
    }
    if (!tables.length) throw new ConfigurationError('no table selected: the task has nothing to capture');
    // A database-level task restarted (resume, retry): tables created while it was not streaming
    // join the list only now, so rows they already hold were never delivered. Said, not hidden.
    const before = this.plan.kind === 'discover' && (await admin.publicationInfo(config.publicationName)).exists ? await admin.publishedTables(config.publicationName) : null;
    const publication = await admin.ensurePublication(config.publicationName, tables);
    if (config.policy.objectScope === 'tables') {
      // Under which name each published table was selected, so a rename is followed across restarts.
      const ids = await admin.relationIds(tables);
      const byName = new Map([...tableOids].map(([oid, t]) => [oid, `${t.schema}.${t.table}`]));
      ids.forEach((id, i) => {
        if (id !== null && !byName.has(id)) byName.set(id, `${tables[i].schema}.${tables[i].table}`);
        if (id !== null && !tableOids.has(id)) {
          const selection = config.policy.tables.find((t) => t.schema === tables[i].schema && t.table === tables[i].table);
          if (selection) tableOids.set(id, selection);
        }
      });
      await admin.recordPublicationNote(config.publicationName, byName);
    }
    if (before) {
      const late = tables.filter((t) => !before.has(`${t.schema}.${t.table}`));
      const backfill = backfillsAddedTables(config.policy);
      if (backfill && late.length) this.context.report({ type: 'tablesAdded', tables: late });
      await announceLateTables(admin, config.publicationName, late, 'table', (level, message) => this.context.log(level, message), (notice) => this.context.report({ type: 'tableNotice', notice }), backfill);
    }
    if (publication !== 'unchanged') {
      const names = tables.slice(0, 20).map((t) => `${t.schema}.${t.table}`).join(', ') + (tables.length > 20 ? ', …' : '');
      this.context.log('info', `publication ${config.publicationName} ${publication} for ${tables.length} table(s): ${names}`);
    }
    return { tables, topicTables, tableOids, plan: this.plan };
  }

  /**
   * The selected tables of a table-level task by identity. A publication holds its tables by OID,
   * and the task notes on it the name each was selected under: a selected table renamed while the
   * task was not streaming is found there, followed under its new name and keeps the selected
   * name's topic. Without a note, one missing name and one unselected table of the publication
   * are taken to be the same table; more than that cannot be told apart, and the task fails
   * saying which, rather than guess. A selected table dropped after the task streamed is logged
   * and left out (its changes from before the drop are still delivered).
   */
  private async followRenamed(admin: SourceAdmin): Promise<{ tables: TableRef[]; oids: Map<number, TableSelection> }> {
    const { policy, publicationName } = this.context.config;
    const selected = policy.tables;
    const ids = await admin.relationIds(selected);
    const oids = new Map<number, TableSelection>();
    ids.forEach((id, i) => id !== null && oids.set(id, selected[i]));
    const tables: (TableRef | null)[] = selected.map(({ schema, table }) => ({ schema, table }));
    let missing = selected.map((_, i) => i).filter((i) => ids[i] === null);
    if (missing.length) {
      const qualified = (t: TableRef) => `${t.schema}.${t.table}`;
      const note = await admin.publicationNote(publicationName);
      let strays = (await admin.publicationTables(publicationName)).filter((p) => !oids.has(p.relid));
      const follow = (i: number, now: (typeof strays)[number]) => {
        oids.set(now.relid, selected[i]);
        tables[i] = { schema: now.schema, table: now.table };
        strays = strays.filter((s) => s !== now);
        this.context.log('info', `table ${qualified(selected[i])} is now ${qualified(now)} (renamed while the task was not streaming); it is still captured, to the same topic`);
      };
      for (const i of missing) {
        const now = strays.find((s) => note.get(s.relid) === qualified(selected[i]));
        if (now) follow(i, now);
      }
      const followed = () => new Set(oids.values());
      missing = missing.filter((i) => !followed().has(selected[i]));
      if (missing.length === 1 && strays.length === 1 && !note.has(strays[0].relid)) follow(missing[0], strays[0]);
      missing = missing.filter((i) => !followed().has(selected[i]));
      if (missing.length && strays.length) {
        throw new ConfigurationError(
          `tables ${missing.map((i) => qualified(selected[i])).join(', ')} no longer exist under these names and the publication holds ` +
            `${strays.map(qualified).join(', ')}, which are not selected: edit the task's tables to the names they have now, then resume the task`,
        );
      }
      // Never streamed: the publishability check refuses the missing table (as the precheck did).
      if (missing.length && this.context.config.slotHistory.confirmedLsn !== null) {
        // Dropped after the task streamed: the slot still holds its changes written before the
        // drop (they are delivered, with their keys); the other tables go on.
        for (const i of missing) {
          this.context.log('warning', `table ${qualified(selected[i])} no longer exists on the source (dropped): its changes written before the drop are delivered, nothing after; remove it from the task's tables`);
          tables[i] = null;
        }
      }
    }
    return { tables: tables.filter((t): t is TableRef => t !== null), oids };
  }

  private async selectedTables(admin: SourceAdmin): Promise<TableRef[]> {
    const { policy } = this.context.config;
    if (policy.objectScope === 'tables') return policy.tables.map(({ schema, table }) => ({ schema, table }));
    return admin.listTables(policy.schemas);
  }
}
