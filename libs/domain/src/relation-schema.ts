import type { ReplicaIdentity } from './pgoutput/messages';
import type { TextCast } from './pg-text-cast';
import type { ValueKind } from './row-filter/pg-values';

export interface ColumnSchema {
  name: string;
  /** PostgreSQL format_type() text, e.g. 'numeric(12,2)', 'character varying(20)', 'text[]'. */
  type: string;
  /** How a row filter compares the column's values (see valueKindOf); 'other' when unknown. */
  kind?: ValueKind;
  /** Labels of an enum type, in their sort order. */
  enumLabels?: readonly string[];
  /**
   * format_type() of the base type without modifiers when the column's type is a domain (e.g.
   * 'boolean' for a domain over boolean); formats that type values (debezium-json) use it.
   */
  baseType?: string;
  /** Set when the type's `::text` differs from the output text pgoutput sends (see textCastOf). */
  textCast?: TextCast;
}

/** What the envelope encoder needs to know about one published table. */
export interface RelationSchema {
  relationId: number;
  database: string;
  schema: string;
  table: string;
  /**
   * Exactly the columns of the relation's latest pgoutput Relation message, in that order:
   * tuple values are matched by position (dropped and generated columns are not sent, and a
   * publication column list narrows them further).
   */
  columns: readonly ColumnSchema[];
  /**
   * The columns that identify a row (see identityColumnsOf): the primary key, or the replica
   * identity index's columns, or every column under FULL without a key; empty when none.
   */
  pkNames: readonly string[];
  replicaIdentity: ReplicaIdentity;
  /**
   * Replica identity key columns (the Relation message's key flags). Only needed for
   * REPLICA IDENTITY USING INDEX; with the default identity they are the primary key.
   */
  identityKeyNames?: readonly string[];
  /**
   * REPLICA IDENTITY FULL without a primary key: the whole row is the identity, so `pkNames` lists
   * every column (narrowed to those a column list sends, so a key never reveals a left-out column).
   */
  keyIsRow?: boolean;
  /** The table no longer exists in the catalog: these are changes written before it was dropped. */
  dropped?: boolean;
}
