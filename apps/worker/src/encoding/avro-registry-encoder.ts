import type * as Avro from 'avsc';
import { avroType, confluentFrame as framed, wrapUnionValues as wrapped, type SchemaRegistryClient } from '@walbridge/connectors';
import { AvroRegistryEncoder, canonicalJson, type AvroSchema, type EnvelopeOptions, type RelationSchema, type RowChange, type TruncateChange, type Tuple } from '@walbridge/domain';
import type { ChangeEncoder, EncodedMessage } from './change-encoder';

/**
 * The schema ids of format avro-registry. Registering is I/O, encoding is not: the worker
 * registers a table's schemas when its Relation message is described (`ensure`, before the
 * route is built) and the encoder then finds their ids here without waiting. A table whose
 * columns change gets new schemas, so a new version under the same subjects.
 */
export class RegisteredSchemas {
  private readonly ids = new Map<string, number>();
  constructor(private readonly client: SchemaRegistryClient) {}

  async ensure(subject: string, schema: AvroSchema): Promise<void> {
    const k = `${subject}\u0000${canonicalJson(schema)}`;
    if (!this.ids.has(k)) this.ids.set(k, await this.client.register(subject, schema));
  }

  idOf(subject: string, schema: AvroSchema): number {
    const id = this.ids.get(`${subject}\u0000${canonicalJson(schema)}`);
    if (id === undefined) throw new SchemaNotRegistered(subject, schema);
    return id;
  }

  /**
   * Registers what building the route of `schema` needs: the router is asked, and each schema it
   * misses is registered, so the subjects and schemas are exactly those the encoder will use.
   */
  async prepare(build: () => unknown): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        build();
        return;
      } catch (error) {
        if (!(error instanceof SchemaNotRegistered)) throw error;
        await this.ensure(error.subject, error.schema);
      }
    }
  }
}

export class SchemaNotRegistered extends Error {
  constructor(
    readonly subject: string,
    readonly schema: AvroSchema,
  ) {
    super(`no schema id for subject ${subject}: its schema was not registered`);
  }
}

/** format "avro-registry" (libs/domain/src/formats/avro-registry.ts) in the Confluent wire format. */
export class AvroRegistryChangeEncoder implements ChangeEncoder {
  private readonly records: AvroRegistryEncoder;
  private readonly keyType: Avro.Type | null;
  private readonly valueType: Avro.Type;
  private readonly keyId: number | null;
  private readonly valueId: number;

  constructor(topic: string, schema: RelationSchema, options: EnvelopeOptions, registered: RegisteredSchemas) {
    this.records = new AvroRegistryEncoder(schema, { columns: options.columns });
    const typeOf = (s: AvroSchema) => avroType(s);
    this.valueType = typeOf(this.records.valueSchema);
    this.valueId = registered.idOf(`${topic}-value`, this.records.valueSchema);
    this.keyType = this.records.keySchema ? typeOf(this.records.keySchema) : null;
    this.keyId = this.records.keySchema ? registered.idOf(`${topic}-key`, this.records.keySchema) : null;
  }

  encodeMessages(change: RowChange): EncodedMessage[] {
    const { snapshot, ...rest } = change;
    return this.records.encode(snapshot ? { ...rest, snapshot: true } : rest).map((m) => ({
      key: m.key === null ? null : this.key(m.key),
      value: framed(this.valueId, this.valueType.toBuffer(wrapped(this.valueType, m.value))),
    }));
  }

  encode(change: RowChange): Buffer {
    return this.encodeMessages(change)[0].value!;
  }

  encodeTruncate(change: TruncateChange): Buffer {
    const { options: _options, ...context } = change;
    const [m] = this.records.encode({ ...context, kind: 'TRUNCATE' });
    return framed(this.valueId, this.valueType.toBuffer(wrapped(this.valueType, m.value)));
  }

  messageKey(tuple: Tuple): Buffer | null {
    const key = this.records.key(tuple);
    return key === null ? null : this.key(key);
  }

  private key(record: Record<string, unknown>): Buffer {
    return framed(this.keyId!, this.keyType!.toBuffer(wrapped(this.keyType!, record)));
  }
}
