import type * as Avro from 'avsc';
import type { SchemaRegistryClient } from '@walbridge/connectors';
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

// Longs as bigint: int8 values and epoch microseconds go beyond 2^53.
let longType: Avro.Type | undefined;
function bigintLong(): Avro.Type {
  const avro = require('avsc') as typeof Avro;
  longType ??= avro.types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
    toBuffer: (n: bigint) => {
      const buf = Buffer.alloc(8);
      buf.writeBigInt64LE(n);
      return buf;
    },
    fromJSON: BigInt,
    toJSON: Number,
    isValid: (n: unknown) => typeof n === 'bigint',
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
  return longType;
}

/**
 * avsc picks the branch of an unwrapped union by the value's JavaScript type, and counts longs
 * as numbers, so a bigint in ['null', 'long'] matches no branch: the types are built with
 * wrapped unions and each record's non-null union values are wrapped here ({branch: value}).
 * Every union of this format is null plus one type, so the branch is never a guess.
 */
function wrapped(type: Avro.Type, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const t = type as Avro.Type & { typeName: string; fields?: { name: string; type: Avro.Type }[]; types?: Avro.Type[]; itemsType?: Avro.Type };
  switch (t.typeName) {
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of t.fields!) out[f.name] = wrapped(f.type, (value as Record<string, unknown>)[f.name]);
      return out;
    }
    case 'array':
      return (value as unknown[]).map((v) => wrapped(t.itemsType!, v));
    case 'union:wrapped': {
      const branch = t.types!.find((b) => b.typeName !== 'null')!;
      return { [branch.branchName!]: wrapped(branch, value) };
    }
    default:
      return value;
  }
}

/**
 * The schema avsc builds its writer from: a logical long ({type: 'long', logicalType}) as plain
 * 'long', since avsc applies the bigint long of its registry to type names only. The bytes are
 * the same; the registered schema keeps the logical types for the readers.
 */
function forAvsc(schema: AvroSchema): AvroSchema {
  if (Array.isArray(schema)) return schema.map(forAvsc);
  if (typeof schema !== 'object' || schema === null) return schema;
  if (schema.type === 'long' && 'logicalType' in schema && !('name' in schema)) return 'long';
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'type' || k === 'items' || k === 'fields' ? forAvsc(v as AvroSchema) : v]));
}

/** Confluent's wire format: magic byte 0, the schema id (4 bytes, big endian), the Avro binary. */
function framed(id: number, avro: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + avro.length);
  out[0] = 0;
  out.writeUInt32BE(id, 1);
  avro.copy(out, 5);
  return out;
}

/** format "avro-registry" (libs/domain/src/formats/avro-registry.ts) in the Confluent wire format. */
export class AvroRegistryChangeEncoder implements ChangeEncoder {
  private readonly records: AvroRegistryEncoder;
  private readonly keyType: Avro.Type | null;
  private readonly valueType: Avro.Type;
  private readonly keyId: number | null;
  private readonly valueId: number;

  constructor(topic: string, schema: RelationSchema, options: EnvelopeOptions, registered: RegisteredSchemas) {
    const avro = require('avsc') as typeof Avro;
    this.records = new AvroRegistryEncoder(schema, { columns: options.columns });
    const typeOf = (s: AvroSchema) => avro.Type.forSchema(forAvsc(s) as Avro.Schema, { registry: { long: bigintLong() }, wrapUnions: true });
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
