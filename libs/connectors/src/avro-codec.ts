import type * as Avro from 'avsc';

/**
 * What the worker's writers and the message browser's readers of Avro share: longs as bigint
 * (int8 values and epoch microseconds go beyond 2^53), and schemas as avsc reads them.
 */
export type AvroSchemaJson = unknown;

function avsc(): typeof Avro {
  // Loaded only where Avro is used: a JSON worker does not carry the library.
  return require('avsc') as typeof Avro;
}

let longType: Avro.Type | undefined;
export function bigintLong(): Avro.Type {
  longType ??= avsc().types.LongType.__with({
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
 * The schema avsc builds its type from: a logical long ({type: 'long', logicalType}) as plain
 * 'long', since avsc applies the bigint long of its registry to type names only. The bytes are
 * the same; the registered schema keeps the logical types for the readers.
 */
export function forAvsc<S>(schema: S): S {
  if (Array.isArray(schema)) return schema.map(forAvsc) as S;
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Record<string, unknown>;
  if (s.type === 'long' && 'logicalType' in s && !('name' in s)) return 'long' as S;
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'type' || k === 'items' || k === 'fields' ? forAvsc(v) : v])) as S;
}

/** A reader's type for a writer's schema: bigint longs, unions wrapped as avsc needs for them (see the worker's encoder). */
export function avroType(schema: AvroSchemaJson, options: { wrapUnions?: boolean; decimals?: boolean } = {}): Avro.Type {
  const avro = avsc();
  return avro.Type.forSchema(forAvsc(schema) as Avro.Schema, {
    registry: { long: bigintLong() },
    wrapUnions: options.wrapUnions ?? true,
    ...(options.decimals ? { logicalTypes: { decimal: decimalText() } } : {}),
  });
}

let decimalType: typeof Avro.types.LogicalType | undefined;
/** Avro's decimal (two's complement big-endian unscaled value) read as its exact text, for display. */
function decimalText(): typeof Avro.types.LogicalType {
  const avro = avsc();
  decimalType ??= class DecimalText extends avro.types.LogicalType {
    private readonly scale: number;
    constructor(schema: { scale?: number }, opts?: unknown) {
      super(schema as Avro.Schema, opts as never);
      this.scale = schema.scale ?? 0;
    }
    override _fromValue(buf: Buffer): string {
      if (!buf.length) return '0';
      let n = BigInt(`0x${buf.toString('hex')}`);
      if (buf[0] & 0x80) n -= 1n << BigInt(buf.length * 8);
      const negative = n < 0n;
      const digits = (negative ? -n : n).toString().padStart(this.scale + 1, '0');
      const text = this.scale ? `${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}` : digits;
      return negative ? `-${text}` : text;
    }
    override _toValue(): never {
      throw new Error('decimal text is read-only');
    }
    override _resolve(type: Avro.Type): unknown {
      return avro.Type.isType(type, 'logical:decimal') || (type as { typeName?: string }).typeName === 'bytes' ? (x: unknown) => x : undefined;
    }
  } as unknown as typeof Avro.types.LogicalType;
  return decimalType;
}

/**
 * avsc picks the branch of an unwrapped union by the value's JavaScript type, and counts longs
 * as numbers, so a bigint in ['null', 'long'] matches no branch: the types are built with
 * wrapped unions and each record's non-null union values are wrapped here ({branch: value}).
 * Every union of this format is null plus one type, so the branch is never a guess.
 */
export function wrapUnionValues(type: Avro.Type, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const t = type as Avro.Type & { typeName: string; fields?: { name: string; type: Avro.Type }[]; types?: Avro.Type[]; itemsType?: Avro.Type };
  switch (t.typeName) {
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const f of t.fields!) out[f.name] = wrapUnionValues(f.type, (value as Record<string, unknown>)[f.name]);
      return out;
    }
    case 'array':
      return (value as unknown[]).map((v) => wrapUnionValues(t.itemsType!, v));
    case 'union:wrapped': {
      const branch = t.types!.find((b) => b.typeName !== 'null')!;
      return { [branch.branchName!]: wrapUnionValues(branch, value) };
    }
    default:
      return value;
  }
}

/** Confluent's wire format: magic byte 0, the schema id (4 bytes, big endian), the Avro binary. */
export function confluentFrame(id: number, avro: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + avro.length);
  out[0] = 0;
  out.writeUInt32BE(id, 1);
  avro.copy(out, 5);
  return out;
}
