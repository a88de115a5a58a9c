/**
 * How a task's publication follows its tables (PRODUCT.md §12, issue 12 item 3). A database-level
 * task must capture a table created later from its first row. PostgreSQL does that by itself for
 * a publication FOR ALL TABLES or FOR TABLES IN SCHEMA (15+), which only a superuser may create
 * (PostgreSQL 15); a publication a DBA created that way for the task is used as it is. Otherwise
 * the worker publishes a table list and discovers new tables, adding them within seconds, and
 * says that rows written before a table was added may be missing from the stream (a backfill reads them).
 * Pure: the worker and the precheck both decide with it.
 */

export interface PublicationScopeFacts {
  objectScope: 'database' | 'tables';
  /** The task's schemas; none means every user schema. */
  schemas?: ReadonlyArray<string>;
  superuser: boolean;
  versionNum: number;
  publication: { exists: boolean; allTables: boolean; schemas: ReadonlyArray<string> };
}

export type PublicationPlan =
  /** A table-level task: FOR TABLE with the selected tables. */
  | { kind: 'tables' }
  /** An existing FOR ALL TABLES / FOR TABLES IN SCHEMA publication, used as it is. */
  | { kind: 'existing'; allTables: boolean; schemas: string[] }
  /** Created FOR ALL TABLES (no schemas chosen). */
  | { kind: 'allTables' }
  /** Created, or turned from a table list into, FOR TABLES IN SCHEMA. */
  | { kind: 'schemas'; schemas: string[] }
  /** A table list the worker extends with the tables it discovers; why the others cannot apply. */
  | { kind: 'discover'; why: string };

/** FOR TABLES IN SCHEMA exists from PostgreSQL 15 on. */
export const SCHEMA_PUBLICATION_VERSION = 150000;

export function planPublication(facts: PublicationScopeFacts): PublicationPlan {
  if (facts.objectScope === 'tables') return { kind: 'tables' };
  const { publication } = facts;
  if (publication.exists && (publication.allTables || publication.schemas.length)) {
    return { kind: 'existing', allTables: publication.allTables, schemas: [...publication.schemas] };
  }
  const schemas = [...(facts.schemas ?? [])];
  if (!facts.superuser) {
    return {
      kind: 'discover',
      why: `role is not a superuser, and PostgreSQL needs one for a publication FOR ${schemas.length ? 'TABLES IN SCHEMA' : 'ALL TABLES'}`,
    };
  }
  if (!schemas.length) {
    // FOR ALL TABLES cannot be reached with ALTER: a list publication would have to be dropped,
    // and decoding fails on WAL written while the publication did not exist.
    if (publication.exists) return { kind: 'discover', why: 'the publication exists with a table list (from an earlier start) and cannot be turned into FOR ALL TABLES in place' };
    return { kind: 'allTables' };
  }
  if (facts.versionNum < SCHEMA_PUBLICATION_VERSION) return { kind: 'discover', why: `FOR TABLES IN SCHEMA needs PostgreSQL 15 or later (the source runs ${Math.floor(facts.versionNum / 10000)})` };
  return { kind: 'schemas', schemas };
}

/** One sentence for the task log and the precheck: how new tables of the task are captured. */
export function describePublicationPlan(plan: PublicationPlan, publicationName: string, discoverySeconds: number): string {
  switch (plan.kind) {
    case 'tables':
      return `publication ${publicationName} lists the selected tables`;
    case 'existing':
      return (
        `publication ${publicationName} exists FOR ${plan.allTables ? 'ALL TABLES' : `TABLES IN SCHEMA ${plan.schemas.join(', ')}`} and is used as it is: ` +
        'tables created later are captured from their first row'
      );
    case 'allTables':
      return `publication ${publicationName} is created FOR ALL TABLES: tables created later are captured from their first row`;
    case 'schemas':
      return `publication ${publicationName} publishes FOR TABLES IN SCHEMA ${plan.schemas.join(', ')}: tables created later are captured from their first row`;
    case 'discover':
      return (
        `publication ${publicationName} lists the tables (${plan.why}): tables created later are discovered within ${discoverySeconds} s and added to it; ` +
        'rows written to such a table before it was added are not delivered by the stream (a backfill reads them), and the task log says so for each table'
      );
  }
}
