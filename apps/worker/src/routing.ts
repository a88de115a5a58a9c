import type { PolicyConfig, TableSelection } from '@walbridge/contracts';
import {
  OperatorActionNeeded,
  RowFilterError,
  TablePartitioner,
  projectedRelation,
  compileRowFilter,
  hasRowFilter,
  parseRowFilter,
  renderTopicName,
  type ChangeKind,
  type OperationKind,
  type CompiledRowFilter,
  type FilterColumn,
  type RelationSchema,
  type Tuple,
} from '@walbridge/domain';
import { createChangeEncoder, type ChangeEncoder } from './encoding/change-encoder';
import type { RegisteredSchemas } from './encoding/avro-registry-encoder';

/** A task setting that no longer fits the source (e.g. a filter on a dropped column): only an operator can fix it. */
export class ConfigurationError extends OperatorActionNeeded {
  override readonly name = 'ConfigurationError';
}

/**
 * Which changes of a table are sent: the row filter compiled for the table's columns. UPDATE
 * is judged on the new row (Debezium's `after`; an unchanged TOAST value is taken from the old
 * image when the source sent one), DELETE on the deleted row as the source sent it (the full
 * row with REPLICA IDENTITY FULL, else the key columns). When the image lacks a value the
 * condition needs, the change is sent: a change is never dropped on a guess.
 */
export class RowGate {
  private constructor(
    private readonly full: CompiledRowFilter,
    private readonly keyOnly: CompiledRowFilter,
  ) {}

  static compile(condition: string, schema: RelationSchema): RowGate {
    const ast = parseRowFilter(condition);
    const columns: FilterColumn[] = schema.columns.map((c) => ({ name: c.name, type: c.type, kind: c.kind ?? 'other', enumLabels: c.enumLabels }));
    const keys = new Set(schema.identityKeyNames?.length ? schema.identityKeyNames : schema.pkNames);
    const keyPositions = new Set(columns.map((c, i) => (keys.has(c.name) ? i : -1)).filter((i) => i >= 0));
    return new RowGate(compileRowFilter(ast, columns), compileRowFilter(ast, columns, (p) => keyPositions.has(p)));
  }

  passes(kind: ChangeKind, newTuple: Tuple | null, oldTuple: Tuple | null, keyTuple: Tuple | null): boolean {
    if (kind === 'DELETE') return oldTuple ? this.full.test(oldTuple) : keyTuple ? this.keyOnly.test(keyTuple) : true;
    // A key-only old image holds only key values: as a TOAST fallback it can only supply those.
    return this.full.test(newTuple!, oldTuple ?? keyTuple);
  }
}

/** Where a table's changes go and how they are written; null from the router when the table is not selected. */
export interface TableRoute {
  topic: string;
  operations: ReadonlySet<OperationKind>;
  partitionOf(key: string | Buffer | null): number;
  /**
   * Partitions a TRUNCATE goes to: every partition when the table's rows are spread over them by
   * key, so that on each partition it comes after the rows it removes; else the table's one.
   */
  truncatePartitions: readonly number[];
  /** Positions of the columns the messages carry (the column list), null: all. */
  columns: readonly number[] | null;
  encoder: ChangeEncoder;
  /** null: every change of the selected operations is sent. */
  gate: RowGate | null;
  /** Things worth a line in the task log once (column list entries that are not columns). */
  notes: string[];
}

/** Topic of one selected table under the task's topic policy (per-table override first). */
export function topicFor(policy: PolicyConfig, database: string, schema: string, table: string): string {
  const override = selectionOf(policy, schema, table)?.topic;
  if (override) return override;
  if (policy.topicPolicy.mode === 'specific') return policy.topicPolicy.topic!;
  const rendered = renderTopicName(policy.topicPolicy.nameFormat!, { database, schema, table });
  if (!rendered.ok) throw new Error(`topic name for ${schema}.${table}: ${rendered.reason}`);
  return rendered.name;
}

function selectionOf(policy: PolicyConfig, schema: string, table: string): TableSelection | undefined {
  return policy.tables.find((t) => t.schema === schema && t.table === table);
}

/**
 * Builds the router the pipeline asks about each table the stream announces. Everything a
 * change needs that depends only on the table (topic, partitioner, column projection, compiled
 * filter, encoder) is computed here, once per Relation message.
 *
 * Tables are followed by identity (OID), not name: `tableOids` holds the selected tables of a
 * table-level task by OID (resolved at start), and a table met under its selected name is
 * remembered too. A renamed table keeps its selection, and its topic is still the one of the
 * name it was selected under (a specific or per-table topic stays; an auto topic keeps the name
 * the task's rule gave the selected table), so its consumers keep reading one topic.
 */
export function createRouter(
  policy: PolicyConfig,
  partitionCounts: ReadonlyMap<string, number>,
  tableOids: ReadonlyMap<number, TableSelection> = new Map(),
  schemas?: RegisteredSchemas,
): (schema: RelationSchema) => TableRoute | null {
  const taskOperations = new Set<OperationKind>(policy.dmlOperations);
  const byOid = new Map(tableOids);
  return (relation) => {
    const selection = byOid.get(relation.relationId) ?? selectionOf(policy, relation.schema, relation.table);
    if (policy.objectScope === 'tables' && !selection) return null;
    // A publication FOR ALL TABLES (a DBA's, used as it is) also sends tables outside the chosen schemas.
    if (policy.objectScope === 'database' && policy.schemas?.length && !policy.schemas.includes(relation.schema)) return null;
    if (selection && policy.objectScope === 'tables') byOid.set(relation.relationId, selection);
    const name = `${relation.schema}.${relation.table}`;
    // Topic by the selected name; everything else by the relation as the WAL describes it.
    const topic = selection
      ? topicFor(policy, relation.database, selection.schema, selection.table)
      : topicFor(policy, relation.database, relation.schema, relation.table);
    const partitions = partitionCounts.get(topic);
    if (partitions === undefined) throw new Error(`no partition count known for topic ${topic}`);
    const operations = selection?.dmlOperations ? new Set<OperationKind>(selection.dmlOperations) : taskOperations;
    const partitioner = new TablePartitioner(policy.partitionPolicy, partitions, relation);
    const notes: string[] = [];
    // A whole-row identity is the row as sent: a left-out column is not part of the key either.
    const { schema, projection } = projectedRelation(relation, { includeColumns: selection?.includeColumns, excludeColumns: selection?.excludeColumns });
    if (projection.unknown.length) notes.push(`column list of ${name} names ${projection.unknown.join(', ')}, which ${projection.unknown.length > 1 ? 'are not columns' : 'is not a column'} of the table`);
    if (projection.keptKeys.length) notes.push(`column list of ${name} keeps key column(s) ${projection.keptKeys.join(', ')}: key columns are always sent`);
    let gate: RowGate | null = null;
    if (hasRowFilter(selection?.filter)) {
      try {
        gate = RowGate.compile(selection.filter, schema);
      } catch (error) {
        if (!(error instanceof RowFilterError)) throw error;
        throw new ConfigurationError(`the row filter of ${name} no longer fits the table (position ${error.position}: ${error.reason}); edit the filter, then resume the task`);
      }
    }
    return {
      topic,
      operations,
      partitionOf: (key) => partitioner.partition(key),
      truncatePartitions: policy.partitionPolicy === 'primaryKey' && schema.pkNames.length && !schema.keyIsRow ? [...Array(partitions).keys()] : [partitioner.partition(null)],
      encoder: createChangeEncoder(policy.format, schema, { columns: projection.positions }, policy.formatOptions, schemas ? { topic, schemas } : undefined),
      columns: projection.positions,
      gate,
      notes,
    };
  };
}
