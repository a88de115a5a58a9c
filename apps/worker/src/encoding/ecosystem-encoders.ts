import type { FormatOptions } from '@walbridge/contracts';
import {
  CanalJsonEncoder,
  DebeziumJsonEncoder,
  EnvelopeEncoder,
  type EnvelopeOptions,
  type RelationSchema,
  type RowChange,
  type TruncateChange,
  type Tuple,
} from '@walbridge/domain';
import type { ChangeEncoder, EncodedMessage } from './change-encoder';

/** A snapshot row is Debezium's read event (op "r"). */
function debeziumChange(change: RowChange): Parameters<DebeziumJsonEncoder['encode']>[0] {
  const { snapshot, ...rest } = change;
  return snapshot ? { ...rest, snapshot: true } : rest;
}

/** format "debezium-json": Debezium's change events (libs/domain/src/formats/debezium-json.ts). */
export class DebeziumEncoder implements ChangeEncoder {
  private readonly debezium: DebeziumJsonEncoder;

  constructor(schema: RelationSchema, options: EnvelopeOptions, formatOptions: FormatOptions) {
    this.debezium = new DebeziumJsonEncoder(schema, {
      includeSchema: formatOptions.includeSchema ?? false,
      tombstones: formatOptions.tombstones ?? false,
      decimalHandling: formatOptions.decimalHandling ?? 'precise',
      timeHandling: formatOptions.timeHandling ?? 'micros',
      columns: options.columns,
    });
  }

  encodeMessages(change: RowChange): EncodedMessage[] {
    return this.debezium.encode(debeziumChange(change)).map((m) => ({ key: m.key, value: m.value === null ? null : Buffer.from(m.value) }));
  }

  encode(change: RowChange): Buffer {
    const [first] = this.debezium.encode(debeziumChange(change));
    return Buffer.from(first.value ?? '');
  }

  /** Debezium's truncate event: op "t", no key, no rows (its options have no Debezium field). */
  encodeTruncate(change: TruncateChange): Buffer {
    const { options: _options, ...context } = change;
    const [event] = this.debezium.encode({ ...context, kind: 'TRUNCATE' });
    return Buffer.from(event.value ?? '');
  }

  messageKey(tuple: Tuple): string | null {
    return this.debezium.key(tuple);
  }
}

/** format "canal-json": Canal's flat message (libs/domain/src/formats/canal-json.ts); keys as the JSON envelope's. */
export class CanalEncoder implements ChangeEncoder {
  private readonly canal: CanalJsonEncoder;
  private readonly keys: EnvelopeEncoder;

  constructor(schema: RelationSchema, options: EnvelopeOptions) {
    this.canal = new CanalJsonEncoder(schema, { columns: options.columns });
    this.keys = new EnvelopeEncoder(schema, options);
  }

  encode(change: RowChange): Buffer {
    return Buffer.from(this.canal.encode(change));
  }

  /** Canal sends a TRUNCATE as a DDL message (isDdl, the statement in sql). */
  encodeTruncate(change: TruncateChange): Buffer {
    const { options: _options, ...context } = change;
    return Buffer.from(this.canal.encode({ ...context, kind: 'TRUNCATE' }));
  }

  messageKey(tuple: Tuple): string | null {
    return this.keys.messageKey(tuple);
  }
}
