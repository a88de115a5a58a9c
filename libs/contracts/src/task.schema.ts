import { z } from 'zod';

// Character rules come from PRODUCT.md §2 (DRS's own limits); they are enforced the same way
// in the console and the API because both import this file.
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{3,49}$/;
const DESCRIPTION_FORBIDDEN = /[!=<>'&"\\]/;
const DATABASE_FORBIDDEN = /[+"%'\\<>]/;
const OBJECT_NAME_FORBIDDEN = /[".'<>]/;
const SLOT_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const BROKER_PATTERN = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export const DML_OPERATIONS = ['INSERT', 'UPDATE', 'DELETE'] as const;
export type DmlOperation = (typeof DML_OPERATIONS)[number];

const objectName = (what: string) =>
  z
    .string()
    .min(1, `${what} is required`)
    .max(63, `${what} must be at most 63 characters`)
    .refine((v) => !OBJECT_NAME_FORBIDDEN.test(v), `${what} may not contain any of ". ' < >`);

const secret = z.string().max(1024).optional();

export const sourceSchema = z.object({
  host: z.string().min(1, 'host is required').max(255),
  port: z.coerce.number().int().min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535'),
  database: z
    .string()
    .min(1, 'database is required')
    .max(63)
    .refine((v) => !DATABASE_FORBIDDEN.test(v), 'database may not contain any of + " % \' \\ < >'),
  username: z.string().min(1, 'username is required').max(63),
  password: secret,
  sslMode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).default('disable'),
  caCert: z.string().max(65536).optional(),
});

export const destinationSchema = z.object({
  // Accepted as "h1:p1,h2:p2" (DRS style) or as an array; stored and returned as the string.
  brokers: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.split(',').map((b) => b.trim()).filter(Boolean) : v),
      z
        .array(z.string().regex(BROKER_PATTERN, 'each broker must be host:port'))
        .min(1, 'at least one broker is required')
        .max(10, 'at most 10 brokers'),
    )
    .transform((list) => list.join(',')),
  securityProtocol: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).default('PLAINTEXT'),
  saslMechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
  username: z.string().max(255).optional(),
  password: secret,
  caCert: z.string().max(65536).optional(),
  clientCert: z.string().max(65536).optional(),
  clientKey: secret.or(z.string().max(65536).optional()),
  verifyHostname: z.boolean().default(true),
});

export const tableSelectionSchema = z.object({
  schema: objectName('schema'),
  table: objectName('table'),
  topic: z.string().max(249).optional(),
  dmlOperations: z.array(z.enum(DML_OPERATIONS)).min(1).optional(),
  filter: z.string().max(4096).optional(),
  includeColumns: z.array(z.string().min(1).max(63)).optional(),
  excludeColumns: z.array(z.string().min(1).max(63)).optional(),
});

export const topicPolicySchema = z
  .object({
    mode: z.enum(['specific', 'auto']),
    topic: z.string().max(249).optional(),
    nameFormat: z.string().max(249).optional(),
    partitions: z.number().int().min(1).max(1000).optional(),
    replicationFactor: z.number().int().min(1).max(32).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'specific' && !v.topic) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['topic'], message: 'topic is required when mode is specific' });
    }
    if (v.mode === 'auto' && !v.nameFormat) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nameFormat'], message: 'nameFormat is required when mode is auto' });
    }
  });

export const policySchema = z
  .object({
    dmlOperations: z.array(z.enum(DML_OPERATIONS)).min(1, 'select at least one DML operation').default(['INSERT', 'UPDATE', 'DELETE']),
    slotName: z
      .string()
      .regex(SLOT_NAME_PATTERN, 'slotName: lowercase letters, digits and _, at most 63, not starting with a digit')
      .optional(),
    objectScope: z.enum(['database', 'tables']).default('tables'),
    tables: z.array(tableSelectionSchema).max(20000).default([]),
    schemas: z.array(objectName('schema')).optional(),
    topicPolicy: topicPolicySchema,
    partitionPolicy: z.enum(['table', 'primaryKey', 'schema', 'zero']).default('table'),
    format: z.enum(['json', 'avro']).default('json'),
    compression: z.enum(['none', 'gzip']).default('none'),
  })
  .superRefine((v, ctx) => {
    if (v.objectScope === 'tables' && v.tables.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['tables'], message: 'select at least one table' });
    }
  });

export const startSchema = z.object({
  mode: z.enum(['now', 'at']).default('now'),
  at: z.string().datetime({ offset: true }).optional(),
});

export const alarmsSchema = z.object({
  notify: z.boolean().default(false),
  channelIds: z.array(z.string().uuid()).default([]),
  delayThresholdSeconds: z.number().int().min(0).max(3600).default(0),
  delaySustainSeconds: z.number().int().min(10).max(86400).default(360),
  dataExceptionNotify: z.boolean().default(false),
  abnormalStopDays: z.number().int().min(14).max(100).default(14),
});

export const retrySchema = z
  .object({
    connectionMinutes: z.number().int().min(10).max(1440).default(720),
    otherMinutes: z.number().int().min(1).max(1440).default(10),
  })
  .refine((v) => v.otherMinutes < v.connectionMinutes, {
    path: ['otherMinutes'],
    message: 'otherMinutes must be smaller than connectionMinutes',
  });

export const throttleSchema = z.object({
  rowsPerSecond: z.number().int().min(1).optional(),
  mbPerSecond: z.number().min(0.1).optional(),
});

export const createTaskSchema = z.object({
  name: z.string().regex(NAME_PATTERN, 'name: 4-50 characters, starts with a letter, letters, digits, - and _ only'),
  description: z
    .string()
    .max(256, 'description must be at most 256 characters')
    .refine((v) => !DESCRIPTION_FORBIDDEN.test(v), 'description may not contain any of ! = < > \' & " \\')
    .default(''),
  tags: z.array(z.object({ key: z.string().min(1).max(128), value: z.string().max(255) })).max(20, 'at most 20 tags').default([]),
  source: sourceSchema,
  destination: destinationSchema,
  policy: policySchema,
  start: startSchema.default({ mode: 'now' }),
  alarms: alarmsSchema.default({}),
  retry: retrySchema.default({}),
  throttle: throttleSchema.default({}),
});

export type CreateTaskInput = z.input<typeof createTaskSchema>;
export type TaskConfig = z.output<typeof createTaskSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type DestinationConfig = z.output<typeof destinationSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type TableSelection = z.output<typeof tableSelectionSchema>;
