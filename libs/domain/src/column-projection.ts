import type { RelationSchema } from './relation-schema';

export interface ColumnList {
  includeColumns?: readonly string[];
  excludeColumns?: readonly string[];
}

export interface ColumnProjection {
  /** Positions of the columns a message carries, in the relation's order; null: all of them. */
  positions: number[] | null;
  /** Names of the lists that are not columns of the table (the precheck refuses them; a later DROP COLUMN leaves them). */
  unknown: string[];
  /** Key columns a list would have removed and that are kept anyway. */
  keptKeys: string[];
}

/**
 * The columns a table's messages carry under its include or exclude list. Primary key and
 * replica identity key columns are always kept: without them a consumer could not tell which
 * row a change is about (the message key holds the primary key too, but `old` of an UPDATE or
 * DELETE would otherwise be empty).
 */
export function columnProjection(
  schema: Pick<RelationSchema, 'columns' | 'pkNames' | 'identityKeyNames' | 'replicaIdentity' | 'keyIsRow'>,
  list: ColumnList,
): ColumnProjection {
  const include = list.includeColumns?.length ? new Set(list.includeColumns) : null;
  const exclude = list.excludeColumns?.length ? new Set(list.excludeColumns) : null;
  if (!include && !exclude) return { positions: null, unknown: [], keptKeys: [] };
  const names = new Set(schema.columns.map((c) => c.name));
  // Under REPLICA IDENTITY FULL pgoutput flags every column as key: only an identity index adds keys.
  // A whole-row identity (FULL without a key) keeps nothing: the key is then made of the columns sent.
  const keys = new Set(schema.keyIsRow ? [] : [...schema.pkNames, ...(schema.replicaIdentity === 'i' ? (schema.identityKeyNames ?? []) : [])]);
  const unknown = [...(include ?? exclude ?? [])].filter((n) => !names.has(n));
  const positions: number[] = [];
  const keptKeys: string[] = [];
  schema.columns.forEach((c, i) => {
    const wanted = include ? include.has(c.name) : !exclude!.has(c.name);
    if (wanted) positions.push(i);
    else if (keys.has(c.name)) {
      positions.push(i);
      keptKeys.push(c.name);
    }
  });
  return { positions, unknown, keptKeys };
}
