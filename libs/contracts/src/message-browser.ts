import { z } from 'zod';

/**
 * The message browser (`GET /tasks/{id}/messages`): the latest messages of a task's topics, read
 * by a scheduler (the API never connects to Kafka) and awaited like a connection test.
 */
export const MESSAGE_OPERATIONS = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'DDL'] as const;

export const messageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1, 'limit must be 1-200').max(200, 'limit must be 1-200').default(20),
    topic: z.string().min(1).max(249).optional(),
    /** `schema.table` of the envelope. */
    table: z.string().min(1).max(200).optional(),
    operation: z.enum(MESSAGE_OPERATIONS, { errorMap: () => ({ message: `operation must be one of ${MESSAGE_OPERATIONS.join(', ')}` }) }).optional(),
    partition: z.coerce.number().int().min(0, 'partition must be 0 or more').optional(),
    /** Read from this offset on (of `partition`, or of every partition). */
    offset: z.coerce.number().int().min(0, 'offset must be 0 or more').optional(),
    /** Read from the first message at or after this time (ISO 8601). */
    from: z
      .string()
      .refine((v) => !Number.isNaN(Date.parse(v)), 'from must be an ISO 8601 time')
      .optional(),
  })
  .refine((v) => v.offset === undefined || v.from === undefined, { path: ['from'], message: 'give offset or from, not both' });

export type MessageQueryInput = z.input<typeof messageQuerySchema>;
export type MessageQuery = z.output<typeof messageQuerySchema>;

export interface TopicMessageView {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: decimal text. */
  offset: string;
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  /** The value as UTF-8 text (JSON messages), or null for a tombstone. */
  value: string | null;
  /** Not JSON (Avro, say): the value's bytes in base64. */
  valueBase64: string | null;
  sizeBytes: number;
  /** From the envelope, when the value is one. */
  table: string | null;
  operation: string | null;
  /**
   * The value (and the key, for avro-registry) were decoded server-side from this wire format:
   * `value` and `key` then hold their JSON form. null: shown as they are.
   */
  decodedFrom: 'avro' | 'avro-registry' | null;
  /** Confluent wire format: the registry ids of the key's and the value's schemas. */
  schemaIds: { key: number | null; value: number | null } | null;
  /** Why the bytes could not be decoded (then they are in `valueBase64`). */
  decodeError: string | null;
}

export interface TopicPartitionView {
  partition: number;
  /** First and next offsets (high watermark): low = high means empty. */
  low: string;
  high: string;
}

export interface MessageBrowseView {
  topics: { name: string; exists: boolean; partitions: TopicPartitionView[] }[];
  /** Newest first, at most `limit`. */
  messages: TopicMessageView[];
  /** How many messages were read to find these (filters drop some). */
  scanned: number;
  /** Set when reading stopped before every partition's end (time budget). */
  truncated: boolean;
}
