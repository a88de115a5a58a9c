import type * as Avro from 'avsc';
import { ENVELOPE_AVRO_SCHEMA, type FormatOptions, type MessageFormat } from '@walbridge/contracts';
import { EnvelopeEncoder, type EnvelopeOptions, type RelationSchema, type RowChange, type TruncateChange, type Tuple } from '@walbridge/domain';
import { CanalEncoder, DebeziumEncoder } from './ecosystem-encoders';
import { AvroRegistryChangeEncoder, type RegisteredSchemas } from './avro-registry-encoder';

/** Encodes the changes of one relation in the task's format; built once per Relation message. */
export interface ChangeEncoder {
  /** The message value, as bytes at once (see JsonEncoder). */
  encode(change: RowChange): Buffer;
  /** A TRUNCATE of the relation (no row, its options). */
  encodeTruncate(change: TruncateChange): Buffer;
  /** Kafka message key: the primary key values as a JSON array of strings, null without a primary key. */
  messageKey(tuple: Tuple): string | Buffer | null;
  /**
   * Formats where one change is several messages (debezium-json: a key change is a delete and a
   * create, tombstones follow deletes) encode here instead; a null value is a tombstone.
   */
  encodeMessages?(change: RowChange): EncodedMessage[];
}

export interface EncodedMessage {
  /** A string key is sent as UTF-8; avro-registry keys are Avro in the wire format. */
  key: string | Buffer | null;
  value: Buffer | null;
}

// One type for the process: avsc compiles a reader and a writer for the schema the first time.
// Loaded only by Avro tasks: a JSON worker does not carry the library.
let envelopeType: Avro.Type | undefined;

/** The Avro type of the fixed envelope schema (libs/contracts/src/avro/walbridge-envelope.avsc). */
export function envelopeAvroType(): Avro.Type {
  const avro = require('avsc') as typeof Avro;
  envelopeType ??= avro.Type.forSchema(ENVELOPE_AVRO_SCHEMA as unknown as Avro.Schema);
  return envelopeType;
}

class AvroEncoder implements ChangeEncoder {
  private readonly type = envelopeAvroType();
  constructor(private readonly envelope: EnvelopeEncoder) {}

  encode(change: RowChange): Buffer {
    return this.type.toBuffer(this.envelope.encodeRecord(change));
  }

  encodeTruncate(change: TruncateChange): Buffer {
    return this.type.toBuffer(this.envelope.truncateRecord(change));
  }

  messageKey(tuple: Tuple): string | null {
    return this.envelope.messageKey(tuple);
  }
}

/**
 * The JSON envelope as UTF-8 bytes. Converting here rather than when the batch is produced keeps
 * the messages waiting for Kafka's acknowledgement off the V8 heap (a Buffer's bytes live
 * outside it): queued strings survived the young-generation collections, were promoted, and
 * made the old generation fill and be compacted several times a second under load.
 */
class JsonEncoder implements ChangeEncoder {
  constructor(private readonly envelope: EnvelopeEncoder) {}

  encode(change: RowChange): Buffer {
    return Buffer.from(this.envelope.encode(change));
  }

  encodeTruncate(change: TruncateChange): Buffer {
    return Buffer.from(this.envelope.encodeTruncate(change));
  }

  messageKey(tuple: Tuple): string | null {
    return this.envelope.messageKey(tuple);
  }
}

export function createChangeEncoder(
  format: MessageFormat,
  schema: RelationSchema,
  options: EnvelopeOptions,
  formatOptions: FormatOptions = {},
  registry?: { topic: string; schemas: RegisteredSchemas },
): ChangeEncoder {
  if (format === 'avro-registry') {
    if (!registry) throw new Error('format avro-registry needs destination.schemaRegistry');
    return new AvroRegistryChangeEncoder(registry.topic, schema, options, registry.schemas);
  }
  if (format === 'debezium-json') return new DebeziumEncoder(schema, options, formatOptions);
  if (format === 'canal-json') return new CanalEncoder(schema, options);
  const envelope = new EnvelopeEncoder(schema, options);
  return format === 'avro' ? new AvroEncoder(envelope) : new JsonEncoder(envelope);
}
