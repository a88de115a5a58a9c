import { describePublicationPlan, planPublication } from '../publication-scope';
import { qualifiedName, quoteIdent } from '../sql-text';
import type { PrecheckTask, SourceFacts } from './precheck-facts';
import type { PrecheckItemKey, PrecheckOutcome } from './precheck-items';

/** How often the worker looks for new tables when its publication lists them (seconds). */
const DISCOVERY_SECONDS = 5;

function result(key: PrecheckItemKey, value: PrecheckOutcome['result'], reason: string | null, suggestion: string | null = null, affected: string[] = []): PrecheckOutcome {
  return { key, result: value, reason, suggestion, affectedObjects: affected };
}

/**
 * Tables created later (issue 12 item 3): which way the task will capture them, said before the
 * start. A publication that follows the schemas takes them from their first row; a table list
 * extended by discovery may miss a new table's first rows (ALARM, with the SQL a superuser runs
 * to avoid it). PASSED items carry the explanation too: the user sees which case applies.
 */
export function newTables(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  if (task.policy.objectScope === 'tables') return result('new-tables', 'PASSED', null);
  const plan = planPublication({
    objectScope: 'database',
    schemas: task.policy.schemas,
    superuser: facts.superuser,
    versionNum: facts.versionNum,
    publication: { exists: facts.publicationExists, allTables: facts.publicationScope?.allTables ?? false, schemas: facts.publicationScope?.schemas ?? [] },
  });
  const how = describePublicationPlan(plan, task.publicationName, DISCOVERY_SECONDS);
  if (plan.kind !== 'discover') {
    return result(
      'new-tables',
      'PASSED',
      `${how}; a table created without a primary key and without REPLICA IDENTITY FULL is published too, so UPDATE and DELETE on it fail on the source (the task log and a notice warn of each)`,
    );
  }
  const schemas = task.policy.schemas?.length ? task.policy.schemas.map(quoteIdent).join(', ') : null;
  const create = schemas
    ? `CREATE PUBLICATION ${quoteIdent(task.publicationName)} FOR TABLES IN SCHEMA ${schemas} WITH (publish_via_partition_root = true);`
    : `CREATE PUBLICATION ${quoteIdent(task.publicationName)} FOR ALL TABLES WITH (publish_via_partition_root = true);`;
  return result(
    'new-tables',
    'ALARM',
    how,
    facts.publicationExists
      ? 'to capture new tables from their first row, run the task as a superuser (PostgreSQL 15+ for schemas), or have a superuser replace the publication with one FOR TABLES IN SCHEMA while the task is not running'
      : `as a superuser, before the task starts (the task then uses it as it is)${schemas && facts.versionNum < 150000 ? ', on PostgreSQL 15 or later' : ''}: ${create}`,
  );
}

/**
 * Stored generated columns (issue 12 item 8): PostgreSQL before 18 never sends them in logical
 * replication, so they are absent from every message. An alarm naming them, not a failure.
 */
export function generatedColumns(facts: SourceFacts): PrecheckOutcome {
  const columns = facts.generatedColumns ?? [];
  if (!columns.length) return result('generated-columns', 'PASSED', null);
  const byTable = new Map<string, string[]>();
  for (const c of columns) byTable.set(`${c.schema}.${c.table}`, [...(byTable.get(`${c.schema}.${c.table}`) ?? []), c.column]);
  return result(
    'generated-columns',
    'ALARM',
    `PostgreSQL ${facts.version} does not send stored generated columns in logical replication, so these columns are absent from every message (data, old and columnType): ` +
      [...byTable].map(([table, cols]) => `${table} (${cols.join(', ')})`).join('; '),
    'compute them downstream from the columns they are generated from, or make them ordinary columns (filled by a trigger) if the messages must carry them',
    columns.map((c) => `${qualifiedName(c.schema, c.table)}.${quoteIdent(c.column)}`),
  );
}
