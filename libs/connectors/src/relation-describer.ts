import type { Client } from 'pg';
import { COLUMN_FLAG_KEY, identityColumnsOf, splitType, textCastOf, valueKindOf, type CatalogKeys, type RelationMessage, type RelationSchema } from '@walbridge/domain';

interface CatalogTable extends CatalogKeys {
  columns: { name: string; typeOid: number; deterministic: boolean }[];
}

interface TypeFacts {
  baseType: string;
  typtype: string;
  /** Of the type's default collation. */
  deterministic: boolean;
  enumLabels?: string[];
}

/**
 * Turns a Relation message into the RelationSchema the encoders work from. The worker describes
 * the messages of its stream with it; the precheck describes the Relation message a table would
 * get now (catalogRelation), so that both derive the same Avro schemas from the same facts.
 */
export class RelationDescriber {
  constructor(
    private readonly client: Client,
    private readonly database: string,
  ) {}

  /** Facts about types, by OID: a type never changes what it is, so they are asked once. */
  private readonly typeFacts = new Map<number, TypeFacts>();

  /**
   * The relation as the Relation message describes it: its column names, order, types (by OID and
   * typmod) and key flags are those in effect when the changes that follow were written, even if
   * the table has changed (or gone) since. The catalog only completes it: type names and base
   * types by OID, the order of the key columns, the primary key under REPLICA IDENTITY FULL.
   */
  async describe(relation: RelationMessage): Promise<RelationSchema> {
    const types = await this.client.query<{ t: string }>(
      'SELECT format_type(o, m) AS t FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS x(o, m, n) ORDER BY n',
      [relation.columns.map((c) => c.typeOid), relation.columns.map((c) => c.typeMod)],
    );
    await this.loadTypeFacts(relation.columns.map((c) => c.typeOid));
    const catalog = await this.catalogKeys(relation.relationId);
    const pkNames = identityColumnsOf(relation, catalog);
    return {
      relationId: relation.relationId,
      database: this.database,
      schema: relation.schema,
      table: relation.table,
      replicaIdentity: relation.replicaIdentity,
      columns: relation.columns.map((c, i) => {
        const facts = this.typeFacts.get(c.typeOid);
        // A column's own collation counts while the catalog still has it with this type.
        const now = catalog.columns.find((k) => k.name === c.name && k.typeOid === c.typeOid);
        const deterministic = now?.deterministic ?? facts?.deterministic ?? true;
        const kind = facts ? valueKindOf({ baseType: facts.baseType, typtype: facts.typtype, collationDeterministic: deterministic }) : 'other';
        const textCast = facts ? textCastOf(facts.baseType) : undefined;
        // A domain's own name hides what it is built on; typed formats need the base type.
        const domainBase = facts && splitType(types.rows[i].t).base !== facts.baseType ? facts.baseType : undefined;
        return {
          name: c.name,
          type: types.rows[i].t,
          kind,
          ...(domainBase ? { baseType: domainBase } : {}),
          ...(facts?.enumLabels ? { enumLabels: facts.enumLabels } : {}),
          ...(textCast ? { textCast } : {}),
        };
      }),
      pkNames,
      identityKeyNames: relation.columns.filter((c) => c.isKey).map((c) => c.name),
      ...(relation.replicaIdentity === 'f' && pkNames.length === relation.columns.length ? { keyIsRow: true } : {}),
      ...(catalog.columns.length === 0 ? { dropped: true } : {}),
    };
  }

  private async loadTypeFacts(oids: number[]): Promise<void> {
    const missing = [...new Set(oids)].filter((o) => !this.typeFacts.has(o));
    if (!missing.length) return;
    const { rows } = await this.client.query<{ oid: number; base_type: string; typtype: string; deterministic: boolean; enum_labels: string[] | null }>(
      `WITH RECURSIVE base(type_oid, oid, depth) AS (
           SELECT t.oid, t.oid, 0 FROM pg_type t WHERE t.oid = ANY($1::oid[])
           UNION ALL
           SELECT b.type_oid, t.typbasetype, b.depth + 1 FROM base b JOIN pg_type t ON t.oid = b.oid
            WHERE t.typtype = 'd' AND b.depth < 16
         ),
         resolved AS (SELECT DISTINCT ON (type_oid) type_oid, oid FROM base ORDER BY type_oid, depth DESC)
       SELECT r.type_oid::int8 AS oid, format_type(bt.oid, NULL) AS base_type, bt.typtype::text AS typtype,
              COALESCE((SELECT (to_jsonb(co) ->> 'collisdeterministic')::boolean FROM pg_type t JOIN pg_collation co ON co.oid = t.typcollation
                         WHERE t.oid = r.type_oid), true) AS deterministic,
              CASE WHEN bt.typtype = 'e'
                   THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = bt.oid ORDER BY e.enumsortorder) END AS enum_labels
         FROM resolved r JOIN pg_type bt ON bt.oid = r.oid`,
      [missing],
    );
    for (const r of rows) {
      this.typeFacts.set(Number(r.oid), { baseType: r.base_type, typtype: r.typtype, deterministic: r.deterministic, ...(r.enum_labels ? { enumLabels: r.enum_labels } : {}) });
    }
  }

  /** The table's key as the catalog has it now (nothing when it was dropped). */
  private async catalogKeys(relid: number): Promise<CatalogTable> {
    const { rows } = await this.client.query<{ name: string; type_oid: number; deterministic: boolean; pk: number | null; ri: number | null }>(
      `SELECT a.attname::text AS name, a.atttypid::int8 AS type_oid,
              COALESCE((to_jsonb(co) ->> 'collisdeterministic')::boolean, true) AS deterministic,
              (SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary) AS pk,
              (SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisreplident) AS ri
         FROM pg_attribute a
         LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
          AND COALESCE(to_jsonb(a) ->> 'attgenerated', '') = ''
        ORDER BY a.attnum`,
      [relid],
    );
    const inKeyOrder = (pick: (r: (typeof rows)[number]) => number | null) =>
      rows.filter((r) => pick(r) !== null).sort((x, y) => pick(x)! - pick(y)!).map((r) => r.name);
    return {
      columns: rows.map((r) => ({ name: r.name, typeOid: Number(r.type_oid), deterministic: r.deterministic })),
      pk: inKeyOrder((r) => r.pk),
      identityIndex: inKeyOrder((r) => r.ri),
    };
  }
}

/**
 * The Relation message pgoutput would send for the table now: the columns it sends (not dropped,
 * not generated) in attnum order with their type OIDs and modifiers, key flags by the replica
 * identity. null when there is no such table.
 */
export async function catalogRelation(client: Client, schema: string, table: string): Promise<RelationMessage | null> {
  const rel = await client.query<{ oid: string; replident: string }>(
    `SELECT c.oid::int8::text AS oid, c.relreplident::text AS replident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  if (!rel.rows.length) return null;
  const oid = Number(rel.rows[0].oid);
  const replident = rel.rows[0].replident;
  const cols = await client.query<{ name: string; typoid: string; typmod: string; pk: boolean; ri: boolean }>(
    `SELECT a.attname::text AS name, a.atttypid::int8::text AS typoid, a.atttypmod::text AS typmod,
            COALESCE((SELECT true FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY(i.indkey)), false) AS pk,
            COALESCE((SELECT true FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisreplident AND a.attnum = ANY(i.indkey)), false) AS ri
       FROM pg_attribute a
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND COALESCE(to_jsonb(a) ->> 'attgenerated', '') = ''
      ORDER BY a.attnum`,
    [oid],
  );
  // A client that keeps every value as text gives 't' for true.
  const yes = (v: unknown) => v === true || v === 't';
  const isKey = (c: { pk: boolean; ri: boolean }) => replident === 'f' || (replident === 'd' && yes(c.pk)) || (replident === 'i' && yes(c.ri));
  return {
    tag: 'relation',
    relationId: oid,
    schema,
    table,
    replicaIdentity: replident as RelationMessage['replicaIdentity'],
    columns: cols.rows.map((c) => ({ flags: isKey(c) ? COLUMN_FLAG_KEY : 0, isKey: isKey(c), name: c.name, typeOid: Number(c.typoid), typeMod: Number(c.typmod) })),
  };
}
