import { columnProjection, type ColumnList, type ColumnProjection } from '../column-projection';
import type { EnvelopeOptions } from '../envelope';
import type { RelationSchema } from '../relation-schema';
import { AvroRegistryEncoder } from './avro-registry';
import type { AvroSchema } from './avro-types';

/** A subject (TopicNameStrategy) and the schema a table's messages are written with under it. */
export interface SubjectSchema {
  subject: string;
  role: 'key' | 'value';
  schema: AvroSchema;
}

/**
 * The relation as a table's messages carry it under its column list: the projection, and the
 * schema whose whole-row identity is narrowed to the columns sent (a left-out column is not part
 * of the key either). The worker's router and the precheck's registry item both start here, so
 * the schemas the precheck asks about are the ones the worker registers.
 */
export function projectedRelation(relation: RelationSchema, list: ColumnList): { schema: RelationSchema; projection: ColumnProjection } {
  const projection = columnProjection(relation, list);
  const schema: RelationSchema =
    relation.keyIsRow && projection.positions ? { ...relation, pkNames: projection.positions.map((i) => relation.columns[i].name) } : relation;
  return { schema, projection };
}

/** The subjects and schemas one table's route writes with (format avro-registry): `<topic>-value`, and `<topic>-key` when the table has a key. */
export function registrationsOf(topic: string, schema: RelationSchema, options: EnvelopeOptions): SubjectSchema[] {
  const encoder = new AvroRegistryEncoder(schema, { columns: options.columns });
  const out: SubjectSchema[] = [{ subject: `${topic}-value`, role: 'value', schema: encoder.valueSchema }];
  if (encoder.keySchema) out.push({ subject: `${topic}-key`, role: 'key', schema: encoder.keySchema });
  return out;
}
