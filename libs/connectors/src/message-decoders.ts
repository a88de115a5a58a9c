import type * as Avro from 'avsc';
import { ENVELOPE_AVRO_SCHEMA, type MessageFormat } from '@walbridge/contracts';
import { avroType } from './avro-codec';

/** A message's key or value as the message browser shows it: its JSON form, and what it was decoded from. */
export interface DecodedPart {
  /** JSON text (pretty enough for the console to indent). */
  text: string;
  decodedFrom: 'avro' | 'avro-registry';
  schemaId: number | null;
}

/** Turns the bytes of a task's messages back into their JSON form (formats that are not JSON); null: show them as they are. */
export interface MessageDecoder {
  key(bytes: Buffer): Promise<DecodedPart | null>;
  value(bytes: Buffer): Promise<DecodedPart | null>;
}

/** Where the schemas of Confluent wire-format messages come from (SchemaRegistryClient). */
export interface SchemaSource {
  readonly where: string;
  schemaById(id: number): Promise<unknown>;
}

/** JSON of a decoded Avro value: longs beyond 2^53 as text, bytes as \\x hex (as PostgreSQL prints bytea). */
export function jsonOfAvro(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return value.map(jsonOfAvro);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonOfAvro(v)]));
  return value;
}

const text = (value: unknown) => JSON.stringify(jsonOfAvro(value));

/** Confluent's wire format: magic byte 0, a 4-byte big-endian schema id, the Avro binary; null when the bytes are not framed so. */
export function unframe(bytes: Buffer): { id: number; body: Buffer } | null {
  if (bytes.length < 5 || bytes[0] !== 0) return null;
  return { id: bytes.readUInt32BE(1), body: bytes.subarray(5) };
}

/**
 * Readers' types by schema id, shared by every browse of a scheduler (an id names one schema
 * forever in a registry, so nothing goes stale); keyed by the registry's address as well.
 */
export class SchemaTypeCache {
  private readonly types = new Map<string, Promise<Avro.Type>>();
  constructor(private readonly max = 500) {}

  typeOf(source: SchemaSource, id: number): Promise<Avro.Type> {
    const k = `${source.where}\u0000${id}`;
    let type = this.types.get(k);
    if (!type) {
      type = source.schemaById(id).then((schema) => avroType(schema, { wrapUnions: false, decimals: true }));
      // A failed lookup is not remembered: the registry may answer next time.
      type.catch(() => this.types.delete(k));
      if (this.types.size >= this.max) this.types.delete(this.types.keys().next().value!);
      this.types.set(k, type);
    }
    return type;
  }
}

let envelopeType: Avro.Type | undefined;

/** The decoder for a task's format; null for the JSON formats (their bytes are already their text). */
export function messageDecoderFor(format: MessageFormat | undefined, registry: SchemaSource | null, cache: SchemaTypeCache): MessageDecoder | null {
  if (format === 'avro') {
    envelopeType ??= avroType(ENVELOPE_AVRO_SCHEMA, { wrapUnions: false });
    const type = envelopeType;
    return {
      key: async () => null, // a UTF-8 string key, shown as it is
      value: async (bytes) => ({ text: text(type.fromBuffer(bytes)), decodedFrom: 'avro', schemaId: null }),
    };
  }
  if (format === 'avro-registry' && registry) {
    const decode = async (bytes: Buffer): Promise<DecodedPart | null> => {
      const framed = unframe(bytes);
      if (!framed) return null;
      const type = await cache.typeOf(registry, framed.id);
      return { text: text(type.fromBuffer(framed.body)), decodedFrom: 'avro-registry', schemaId: framed.id };
    };
    return { key: decode, value: decode };
  }
  return null;
}
