import { z } from 'zod';

// Character rules come from PRODUCT.md §2 (DRS's own limits); they are enforced the same way
// in the console and the API because both import this file. Rules that need the domain lib
// (the topic names a name format produces) are added by the API on top of this schema.
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{3,49}$/;
const DESCRIPTION_FORBIDDEN = /[!=<>'&"\\]/;
const DATABASE_FORBIDDEN = /[+"%'\\<>]/;
const OBJECT_NAME_FORBIDDEN = /[".'<>]/;
const COLUMN_NAME_FORBIDDEN = /["']/;
const TOPIC_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const SLOT_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
// A DNS name, an IPv4 address or a bracketed IPv6 address, then a port.
const BROKER_PATTERN = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;
const HOST_PATTERN = /^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+|\[[0-9A-Fa-f:.]+\])$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END (?:[A-Z]+ )?PRIVATE KEY-----/;

// TRUNCATE last: it is a whole-table change (one message per truncated table, no row).
export const DML_OPERATIONS = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'] as const;
export const SYNC_MODES = ['incremental', 'full+incremental'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
export type DmlOperation = (typeof DML_OPERATIONS)[number];

export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const objectName = (what: string) =>
  z
    .string({ required_error: `${what} is required` })
    .min(1, `${what} is required`)
    .max(63, `${what} must be at most 63 characters`)
    .refine((v) => !OBJECT_NAME_FORBIDDEN.test(v), `${what} may not contain any of " . ' < >`);

const columnName = z
  .string()
  .min(1, 'column name is required')
  .max(63, 'column name must be at most 63 characters')
  .refine((v) => !COLUMN_NAME_FORBIDDEN.test(v), `column name may not contain " or '`);

const secret = (what: string) => z.string().min(1, `${what} may not be empty`).max(1024, `${what} must be at most 1024 characters`).optional();
const pemCertificate = (what: string) =>
  z
    .string()
    .max(65536, `${what} must be at most 64 KiB`)
    .refine((v) => PEM_CERTIFICATE.test(v), `${what} must be a PEM certificate (-----BEGIN CERTIFICATE-----)`)
    .optional();

function unique<T>(items: T[], keyOf: (item: T) => string): number[] {
  const seen = new Set<string>();
  const duplicates: number[] = [];
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.has(key)) duplicates.push(i);
    seen.add(key);
  });
  return duplicates;
}

const port = (what: string) =>
  z.coerce
    .number({ invalid_type_error: `${what} must be a number` })
    .int(`${what} must be an integer`)
    .min(1, `${what} must be 1-65535`)
    .max(65535, `${what} must be 1-65535`);

/**
 * The saved connection (`/connections`) a task's source or destination was taken from. The API
 * fills the settings and the sealed password in from it, so a task holds its own copy and
 * streams exactly as an inline one; an edit of the connection is applied to its tasks again.
 */
const connectionId = z.string().uuid('connectionId must be the id of a saved connection').optional();

export const sourceSchema = z
  .object({
    host: z
      .string({ required_error: 'host is required' })
      .min(1, 'host is required')
      .max(255, 'host must be at most 255 characters')
      .refine((v) => HOST_PATTERN.test(v), 'host must be a host name or an IP address'),
    port: port('port'),
    database: z
      .string({ required_error: 'database is required' })
      .min(1, 'database is required')
      .max(63, 'database must be at most 63 characters')
      .refine((v) => !DATABASE_FORBIDDEN.test(v), 'database may not contain any of + " % \' \\ < >'),
    username: z.string({ required_error: 'username is required' }).min(1, 'username is required').max(63, 'username must be at most 63 characters'),
    password: secret('password'),
    sslMode: z.enum(SSL_MODES).default('disable'),
    caCert: pemCertificate('caCert'),
    connectionId,
  })
  .superRefine((v, ctx) => {
    if ((v.sslMode === 'verify-ca' || v.sslMode === 'verify-full') && !v.caCert) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['caCert'], message: `caCert is required when sslMode is ${v.sslMode}` });
    }
  });

/**
 * The schema registry of format avro-registry (Confluent's REST API: Confluent Schema Registry,
 * Apicurio's /apis/ccompat/v7, Redpanda, Karapace). The password is sealed like the others.
 */
export const schemaRegistrySchema = z
  .object({
    url: z
      .string({ required_error: 'schemaRegistry.url is required' })
      .max(2048, 'url must be at most 2048 characters')
      .url('url must be an http(s) URL')
      .refine((v) => /^https?:\/\//i.test(v), 'url must be an http(s) URL'),
    username: z.string().min(1, 'username may not be empty').max(255, 'username must be at most 255 characters').optional(),
    password: secret('password'),
  })
  .strict('schemaRegistry takes url, username and password only');
export type SchemaRegistryConfig = z.infer<typeof schemaRegistrySchema>;

export const destinationSchema = z
  .object({
    // Accepted as "h1:p1,h2:p2" (DRS style) or as an array; stored and returned as the string.
    brokers: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(',').map((b) => b.trim()).filter(Boolean) : v),
        z
          .array(
            z
              .string()
              .regex(BROKER_PATTERN, 'each broker must be host:port')
              .refine((b) => {
                const match = BROKER_PATTERN.exec(b);
                return !match || (Number(match[1]) >= 1 && Number(match[1]) <= 65535);
              }, 'broker port must be 1-65535'),
            { required_error: 'brokers is required', invalid_type_error: 'brokers must be "host:port,host:port" or a list' },
          )
          .min(1, 'at least one broker is required')
          .max(10, 'at most 10 brokers')
          .refine((list) => unique(list, (b) => b.toLowerCase()).length === 0, 'brokers must not repeat'),
      )
      .transform((list) => list.join(',')),
    securityProtocol: z.enum(SECURITY_PROTOCOLS).default('PLAINTEXT'),
    saslMechanism: z.enum(SASL_MECHANISMS).optional(),
    username: z.string().min(1, 'username may not be empty').max(255, 'username must be at most 255 characters').optional(),
    password: secret('password'),
    caCert: pemCertificate('caCert'),
    clientCert: pemCertificate('clientCert'),
    clientKey: z
      .string()
      .max(65536, 'clientKey must be at most 64 KiB')
      .refine((v) => PEM_PRIVATE_KEY.test(v), 'clientKey must be a PEM private key')
      .optional(),
    verifyHostname: z.boolean().default(true),
    schemaRegistry: schemaRegistrySchema.optional(),
    connectionId,
  })
  .superRefine((v, ctx) => {
    const sasl = v.securityProtocol === 'SASL_PLAINTEXT' || v.securityProtocol === 'SASL_SSL';
    const tls = v.securityProtocol === 'SSL' || v.securityProtocol === 'SASL_SSL';
    const issue = (path: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (sasl && !v.saslMechanism) issue('saslMechanism', `saslMechanism is required when securityProtocol is ${v.securityProtocol}`);
    if (sasl && !v.username) issue('username', `username is required when securityProtocol is ${v.securityProtocol}`);
    if (sasl && !v.password) issue('password', `password is required when securityProtocol is ${v.securityProtocol}`);
    if (!tls && (v.clientCert || v.clientKey)) issue(v.clientCert ? 'clientCert' : 'clientKey', 'a client certificate needs securityProtocol SSL or SASL_SSL');
    if (v.clientCert && !v.clientKey) issue('clientKey', 'clientKey is required with clientCert');
    if (v.clientKey && !v.clientCert) issue('clientCert', 'clientCert is required with clientKey');
  });

export const tableSelectionSchema = z
  .object({
    schema: objectName('schema'),
    table: objectName('table'),
    topic: z.string().max(249, 'topic must be at most 249 characters').optional(),
    dmlOperations: z.array(z.enum(DML_OPERATIONS)).min(1, 'select at least one DML operation').optional(),
    filter: z.string().max(4096, 'filter must be at most 4096 characters').optional(),
    includeColumns: z.array(columnName).max(1600).optional(),
    excludeColumns: z.array(columnName).max(1600).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.includeColumns?.length && v.excludeColumns?.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['excludeColumns'], message: 'use includeColumns or excludeColumns, not both' });
    }
  });

export const topicPolicySchema = z
  .object({
    mode: z.enum(['specific', 'auto']),
    topic: z.string().max(249, 'topic must be at most 249 characters').optional(),
    nameFormat: z.string().max(249, 'nameFormat must be at most 249 characters').optional(),
    partitions: z.number().int().min(1, 'partitions must be 1-1000').max(1000, 'partitions must be 1-1000').optional(),
    replicationFactor: z.number().int().min(1, 'replicationFactor must be 1-32').max(32, 'replicationFactor must be 1-32').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'specific' && !v.topic) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['topic'], message: 'topic is required when mode is specific' });
    }
    if (v.mode === 'auto' && !v.nameFormat) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nameFormat'], message: 'nameFormat is required when mode is auto' });
    }
  });

/** Wire formats: the JSON envelope (PRODUCT.md §5), its fixed Avro schema, Debezium's and Canal's JSON, Debezium's envelope as Avro with per-table schemas in a registry. */
export const MESSAGE_FORMATS = ['json', 'avro', 'debezium-json', 'canal-json', 'avro-registry'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

/** Options of format debezium-json (Debezium connector settings of the same meaning in brackets). */
export const formatOptionsSchema = z
  .object({
    /** The JSON converter's schemas.enable: `{schema, payload}` for key and value. */
    includeSchema: z.boolean({ invalid_type_error: 'includeSchema must be true or false' }).optional(),
    /** tombstones.on.delete: a message with the key and a null value after each delete. */
    tombstones: z.boolean({ invalid_type_error: 'tombstones must be true or false' }).optional(),
    /** decimal.handling.mode: Connect Decimal bytes ("precise", the default) or strings. */
    decimalHandling: z.enum(['precise', 'string'], { errorMap: () => ({ message: 'decimalHandling must be "precise" or "string"' }) }).optional(),
    /** Dates, times, timestamps and intervals as Debezium's epoch numbers ("micros", the default) or ISO-8601 strings. */
    timeHandling: z.enum(['micros', 'iso'], { errorMap: () => ({ message: 'timeHandling must be "micros" or "iso"' }) }).optional(),
  })
  .strict('formatOptions takes includeSchema, tombstones, decimalHandling and timeHandling only');
export type FormatOptions = z.infer<typeof formatOptionsSchema>;

export const policySchema = z
  .object({
    dmlOperations: z.array(z.enum(DML_OPERATIONS)).min(1, 'select at least one DML operation').default([...DML_OPERATIONS]),
    slotName: z
      .string()
      .regex(SLOT_NAME_PATTERN, 'slotName: lowercase letters, digits and _, at most 63, not starting with a digit')
      .optional(),
    objectScope: z.enum(['database', 'tables']).default('tables'),
    tables: z.array(tableSelectionSchema).max(20000, 'at most 20000 tables').default([]),
    schemas: z.array(objectName('schema')).max(1000, 'at most 1000 schemas').optional(),
    topicPolicy: topicPolicySchema,
    partitionPolicy: z.enum(['table', 'primaryKey', 'schema', 'zero']).default('table'),
    format: z.enum(MESSAGE_FORMATS, { errorMap: () => ({ message: `format must be one of ${MESSAGE_FORMATS.join(', ')}` }) }).default('json'),
    formatOptions: formatOptionsSchema.optional(),
    compression: z.enum(['none', 'gzip']).default('none'),
    /**
     * Kafka topic that receives a JSON message (`isDdl: true`) whenever a captured table's shape
     * changes (a new pgoutput Relation message); left out: the change is only written to the task log.
     */
    schemaChangeTopic: z
      .string()
      .min(1, 'schemaChangeTopic must not be empty (leave it out to log schema changes only)')
      .max(249, 'schemaChangeTopic must be at most 249 characters')
      .regex(TOPIC_NAME_PATTERN, "schemaChangeTopic: only letters, digits, '.', '_' and '-' are allowed")
      .refine((v) => v !== '.' && v !== '..', "schemaChangeTopic may not be '.' or '..'")
      .optional(),
    /**
     * full+incremental: the rows already in the tables are delivered first (status FULL_SYNC, a
     * lock-free chunked snapshot interleaved with the stream), then changes. The API keeps
     * incremental as its default for compatibility.
     */
    syncMode: z.enum(SYNC_MODES).default('incremental'),
    /**
     * Tables added to the task while it runs (or is paused) get their existing rows too (a
     * backfill). Left out: on for full+incremental tasks, off for incremental ones.
     */
    backfillAddedTables: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.objectScope === 'tables' && v.tables.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tables'], message: 'select at least one table' });
    }
    for (const i of unique(v.tables, (t) => `${t.schema}\u0000${t.table}`)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tables', i], message: `${v.tables[i].schema}.${v.tables[i].table} is selected twice` });
    }
    for (const i of unique(v.schemas ?? [], (s) => s)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['schemas', i], message: `schema ${v.schemas![i]} is selected twice` });
    }
    if (v.objectScope === 'database' && v.schemas?.length) {
      // Per-table settings of a database-level task only make sense inside the chosen schemas.
      v.tables.forEach((t, i) => {
        if (!v.schemas!.includes(t.schema)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tables', i, 'schema'], message: `schema ${t.schema} is not among the selected schemas` });
        }
      });
    }
    if (v.formatOptions && Object.keys(v.formatOptions).length && v.format !== 'debezium-json') {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['formatOptions'], message: `formatOptions apply only to format debezium-json (format is ${v.format})` });
    }
    if (v.objectScope === 'tables' && v.schemas?.length) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['schemas'], message: 'schemas apply only when objectScope is database' });
    }
  });

export const startSchema = z
  .object({
    mode: z.enum(['now', 'at']).default('now'),
    at: z.string().datetime({ offset: true, message: 'at must be an ISO 8601 date-time with offset' }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'at' && !v.at) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['at'], message: 'at is required when mode is at' });
  });

export const alarmsSchema = z.object({
  notify: z.boolean().default(false),
  channelIds: z.array(z.string().uuid('channelIds must hold channel ids (UUID)')).max(20).default([]),
  delayThresholdSeconds: z.number().int().min(0, 'delayThresholdSeconds must be 0-3600 (0 = off)').max(3600, 'delayThresholdSeconds must be 0-3600 (0 = off)').default(0),
  delaySustainSeconds: z.number().int().min(10, 'delaySustainSeconds must be 10-86400').max(86400, 'delaySustainSeconds must be 10-86400').default(360),
  dataExceptionNotify: z.boolean().default(false),
  abnormalStopDays: z.number().int().min(14, 'abnormalStopDays must be 14-100').max(100, 'abnormalStopDays must be 14-100').default(14),
  /** Notify when the slot retains more WAL than this on the source (0 = off); left out: the scheduler's WALBRIDGE_SLOT_WAL_LIMIT_MB. */
  walRetentionLimitMb: z
    .number()
    .int('walRetentionLimitMb must be an integer')
    .min(0, 'walRetentionLimitMb must be 0-10485760 (0 = off)')
    .max(10_485_760, 'walRetentionLimitMb must be 0-10485760 (0 = off)')
    .optional(),
});

export const retrySchema = z
  .object({
    connectionMinutes: z.number().int().min(10, 'connectionMinutes must be 10-1440').max(1440, 'connectionMinutes must be 10-1440').default(720),
    otherMinutes: z.number().int().min(1, 'otherMinutes must be 1-1440').max(1440, 'otherMinutes must be 1-1440').default(10),
  })
  .refine((v) => v.otherMinutes < v.connectionMinutes, {
    path: ['otherMinutes'],
    message: 'otherMinutes must be smaller than connectionMinutes',
  });

export const throttleSchema = z.object({
  rowsPerSecond: z.number().int().min(1, 'rowsPerSecond must be at least 1').max(10_000_000, 'rowsPerSecond must be at most 10000000').optional(),
  mbPerSecond: z.number().min(0.1, 'mbPerSecond must be at least 0.1').max(10_000, 'mbPerSecond must be at most 10000').optional(),
  /** Snapshot rows read per second (full synchronization and backfills), on top of the limits above. */
  snapshotRowsPerSecond: z
    .number()
    .int('snapshotRowsPerSecond must be an integer')
    .min(1, 'snapshotRowsPerSecond must be at least 1')
    .max(10_000_000, 'snapshotRowsPerSecond must be at most 10000000')
    .optional(),
});

export const tagSchema = z.object({
  key: z.string({ required_error: 'tag key is required' }).min(1, 'tag key is required').max(128, 'tag key must be at most 128 characters'),
  value: z.string().max(255, 'tag value must be at most 255 characters').default(''),
});

export const createTaskSchema = z.object({
  name: z.string({ required_error: 'name is required' }).regex(NAME_PATTERN, 'name: 4-50 characters, starts with a letter, letters, digits, - and _ only'),
  description: z
    .string()
    .max(256, 'description must be at most 256 characters')
    .refine((v) => !DESCRIPTION_FORBIDDEN.test(v), 'description may not contain any of ! = < > \' & " \\')
    .default(''),
  tags: z
    .array(tagSchema)
    .max(20, 'at most 20 tags')
    .default([])
    .superRefine((tags, ctx) => {
      for (const i of unique(tags, (t) => t.key)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'key'], message: `tag key ${tags[i].key} is used twice` });
      }
    }),
  source: sourceSchema,
  destination: destinationSchema,
  policy: policySchema,
  start: startSchema.default({ mode: 'now' }),
  alarms: alarmsSchema.default({}),
  retry: retrySchema.default({}),
  throttle: throttleSchema.default({}),
});

/**
 * PATCH /tasks/{id}: any part of the task (JSON merge patch: objects merge, arrays and values
 * replace, null removes an optional field). The merged task is validated like a new one.
 */
export const updateTaskSchema = z.record(z.unknown(), { invalid_type_error: 'the body must be a JSON object' });

export type CreateTaskInput = z.input<typeof createTaskSchema>;
export type UpdateTaskInput = z.input<typeof updateTaskSchema>;
export type TaskConfig = z.output<typeof createTaskSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type DestinationConfig = z.output<typeof destinationSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type TableSelection = z.output<typeof tableSelectionSchema>;
