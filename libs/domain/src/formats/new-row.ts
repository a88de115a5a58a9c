import { EnvelopeEncodeError } from '../envelope';
import type { Tuple } from '../pgoutput/messages';
import type { RelationSchema } from '../relation-schema';

/**
 * The new row of a change as the encoders of every format need it: present, and as wide as the
 * relation the encoder was built for (a narrower or wider row means the encoder's schema is stale,
 * and encoding it would put values under the wrong column names).
 */
export function newRowOf(tuple: Tuple | null | undefined, what: string, schema: RelationSchema, columnCount: number): Tuple {
  if (!tuple) throw new EnvelopeEncodeError(`${what} on ${schema.schema}.${schema.table} has no new row`);
  if (tuple.length !== columnCount) {
    throw new EnvelopeEncodeError(
      `row of ${schema.schema}.${schema.table} has ${tuple.length} values but the relation schema has ${columnCount} columns: the schema is stale`,
    );
  }
  return tuple;
}
