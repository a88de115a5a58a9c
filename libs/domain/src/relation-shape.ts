import type { RelationMessage } from './pgoutput/messages';
import type { RelationSchema } from './relation-schema';

/**
 * What the catalog says about a table's key now. The Relation message describes the table as it
 * was when the change was written; the catalog may already be ahead of it (a renamed key column,
 * a dropped table while the task lags), so it only orders or completes what the message says.
 */
export interface CatalogKeys {
  /** The table's columns as pgoutput sends them (no dropped or generated ones), in attnum order; empty when the table is gone. */
  columns: readonly { name: string; typeOid: number }[];
  /** Primary key columns in key order, under their current names. */
  pk: readonly string[];
  /** Columns of the replica identity index (REPLICA IDENTITY USING INDEX), in index order. */
  identityIndex: readonly string[];
}

/**
 * Catalog column names as the Relation message names them: as they are when every one is a
 * column of the message, else by position when the catalog's columns line up with the
 * message's (same count and types: only names changed since), else null (cannot tell).
 */
function inMessageNames(relation: RelationMessage, catalog: CatalogKeys, names: readonly string[]): string[] | null {
  const sent = new Set(relation.columns.map((c) => c.name));
  if (names.every((n) => sent.has(n))) return [...names];
  const cols = catalog.columns;
  const aligned = cols.length === relation.columns.length && cols.every((c, i) => c.typeOid === relation.columns[i].typeOid);
  if (!aligned) return null;
  const out: string[] = [];
  for (const n of names) {
    const i = cols.findIndex((c) => c.name === n);
    if (i < 0) return null;
    out.push(relation.columns[i].name);
  }
  return out;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((n) => b.includes(n));

/**
 * The columns that identify a row of this relation (the envelope's `pkNames`, the message key,
 * the partition under the primaryKey policy), in the Relation message's names:
 *
 * - REPLICA IDENTITY DEFAULT: the primary key, i.e. the columns the message flags as key (in the
 *   key's order when the catalog still agrees on which columns they are);
 * - USING INDEX: the index's columns, flagged likewise: what a DELETE's `old` holds;
 * - FULL: the primary key when the table has one, else every column (the row is its own identity);
 * - NOTHING: the primary key if any (UPDATE and DELETE carry no old image then).
 */
export function identityColumnsOf(relation: RelationMessage, catalog: CatalogKeys): string[] {
  const flagged = relation.columns.filter((c) => c.isKey).map((c) => c.name);
  switch (relation.replicaIdentity) {
    case 'd':
    case 'i': {
      if (!flagged.length) return [];
      const ordered = inMessageNames(relation, catalog, relation.replicaIdentity === 'd' ? catalog.pk : catalog.identityIndex);
      return ordered && sameSet(ordered, flagged) ? ordered : flagged;
    }
    case 'f': {
      const pk = catalog.pk.length ? inMessageNames(relation, catalog, catalog.pk) : null;
      return pk?.length ? pk : relation.columns.map((c) => c.name);
    }
    default:
      return (catalog.pk.length ? inMessageNames(relation, catalog, catalog.pk) : null) ?? [];
  }
}

/** How a captured table changed between two Relation messages of the same relation (OID). */
export interface ShapeChange {
  /** `schema.table` before, when the table was renamed (or moved to another schema). */
  renamedFrom: string | null;
  /** One phrase per column change, e.g. `column note added (text)`; empty when the columns are as before. */
  columns: string[];
}

const IDENTITY_NAMES = { d: 'default (primary key)', n: 'nothing', f: 'full', i: 'using index' } as const;

/**
 * The difference between the shape a relation had and the one a new Relation message gives it.
 * pgoutput sends no column numbers, so a rename is recognised when the column list keeps its
 * length and a position keeps its type but changes its name; anything else is told as columns
 * added and dropped.
 */
export function shapeChange(before: RelationSchema, after: RelationSchema): ShapeChange {
  const renamedFrom = before.schema !== after.schema || before.table !== after.table ? `${before.schema}.${before.table}` : null;
  const columns: string[] = [];
  const b = before.columns;
  const a = after.columns;
  if (a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      if (a[i].name !== b[i].name) {
        columns.push(
          a[i].type === b[i].type
            ? `column ${b[i].name} renamed to ${a[i].name}`
            : `column ${b[i].name} (${b[i].type}) replaced by ${a[i].name} (${a[i].type})`,
        );
      } else if (a[i].type !== b[i].type) {
        columns.push(`column ${a[i].name} changed type from ${b[i].type} to ${a[i].type}`);
      }
    }
  } else {
    const had = new Map(b.map((c) => [c.name, c.type]));
    const has = new Map(a.map((c) => [c.name, c.type]));
    for (const c of b) if (!has.has(c.name)) columns.push(`column ${c.name} dropped`);
    for (const c of a) {
      const was = had.get(c.name);
      if (was === undefined) columns.push(`column ${c.name} added (${c.type})`);
      else if (was !== c.type) columns.push(`column ${c.name} changed type from ${was} to ${c.type}`);
    }
  }
  if (before.replicaIdentity !== after.replicaIdentity) {
    columns.push(`replica identity changed from ${IDENTITY_NAMES[before.replicaIdentity]} to ${IDENTITY_NAMES[after.replicaIdentity]}`);
  }
  // A renamed key column is told as a rename; the key only changed when other columns make it up.
  const positions = (r: RelationSchema) => r.pkNames.map((n) => r.columns.findIndex((c) => c.name === n));
  const keyMoved = a.length === b.length ? !sameOrder(positions(before).map(String), positions(after).map(String)) : !sameOrder(before.pkNames, after.pkNames);
  if (keyMoved) {
    columns.push(`key columns are now (${after.pkNames.join(', ')}), were (${before.pkNames.join(', ')})`);
  }
  return { renamedFrom, columns };
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
