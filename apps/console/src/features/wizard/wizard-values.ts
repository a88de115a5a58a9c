import {
  AUTO_TOPIC_DEFAULTS,
  DML_OPERATIONS,
  SASL_MECHANISMS,
  SECURITY_PROTOCOLS,
  SSL_MODES,
  type CreateTaskInput,
  type DmlOperation,
  type MessageFormat,
  type SyncMode,
  type TaskView,
} from '@walbridge/contracts';
import { withoutBlanks } from '../../ui/zod-form';
import { num, runSettingsFromTask, runSettingsInput, type RunSettingsValues } from '../task-edit/run-settings-values';

export { withoutBlanks };

/*
 * What the wizard's forms hold. Fields mirror the API's task JSON (PRODUCT.md §9) so that the
 * shared zod schemas' issue paths and the API's 400 `details[].field` name form fields directly;
 * inputs hold strings, and blanks mean "not set" (see `withoutBlanks`).
 */

export interface TagValues {
  key: string;
  value: string;
}

export interface BasicValues {
  name: string;
  description: string;
  tags: TagValues[];
}

export interface SourceValues {
  host: string;
  port: number | string;
  database: string;
  username: string;
  password: string;
  sslMode: (typeof SSL_MODES)[number];
  caCert: string;
  /** A saved connection chosen instead of the fields (drafts from before it lack it). */
  connectionId?: string;
  /** "Save this connection" under this name when Next is pressed ('' or absent: not saved). */
  saveAs?: string;
}

export interface DestinationValues {
  brokers: string;
  securityProtocol: (typeof SECURITY_PROTOCOLS)[number];
  saslMechanism: (typeof SASL_MECHANISMS)[number] | '';
  username: string;
  password: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
  verifyHostname: boolean;
  /** The registry of format avro-registry; sent only with a url (drafts from before it lack it). */
  schemaRegistry?: SchemaRegistryValues;
  connectionId?: string;
  saveAs?: string;
}

export interface SchemaRegistryValues {
  url: string;
  username: string;
  password: string;
}

export const EMPTY_SCHEMA_REGISTRY: SchemaRegistryValues = { url: '', username: '', password: '' };

export interface ConnectionValues {
  source: SourceValues;
  destination: DestinationValues;
}

export type ColumnMode = 'all' | 'include' | 'exclude';

export interface TableValues {
  schema: string;
  table: string;
  topic: string;
  /** null: the task's operations apply. */
  dmlOperations: DmlOperation[] | null;
  filter: string;
  columnMode: ColumnMode;
  /** Comma-separated column names. */
  columns: string;
}

export interface PolicyValues {
  dmlOperations: DmlOperation[];
  slotName: string;
  objectScope: 'database' | 'tables';
  schemas: string[];
  tables: TableValues[];
  topicPolicy: {
    mode: 'specific' | 'auto';
    topic: string;
    nameFormat: string;
    partitions: number | string;
    replicationFactor: number | string;
  };
  partitionPolicy: 'table' | 'primaryKey' | 'schema' | 'zero';
  format: MessageFormat;
  /** Options of format debezium-json (sent only with that format). */
  formatOptions: { includeSchema: boolean; tombstones: boolean; decimalHandling: 'precise' | 'string'; timeHandling: 'micros' | 'iso' };
  compression: 'none' | 'gzip';
  /** Topic of the schema-change messages; blank: schema changes are only logged. */
  schemaChangeTopic: string;
  /** Full + incremental delivers the rows already in the tables first (the console's default, as DTS's). */
  syncMode: SyncMode;
}

export interface ConfirmValues {
  start: { mode: 'now' | 'at'; /** `YYYY-MM-DDTHH:mm` in the browser's time zone. */ at: string };
  alarms: {
    notify: boolean;
    channelIds: string[];
    delayThresholdSeconds: number | string;
    delaySustainSeconds: number | string;
    dataExceptionNotify: boolean;
    abnormalStopDays: number | string;
    /** Blank: the server's limit. */
    walRetentionLimitMb: number | string;
  };
  throttle: RunSettingsValues['throttle'];
  retry: RunSettingsValues['retry'];
  agree: boolean;
}

export const DEFAULT_NAME_FORMAT = '$database$.$schema$.$tablename$';

export const DEFAULT_BASIC: BasicValues = { name: '', description: '', tags: [] };

export const DEFAULT_CONNECTIONS: ConnectionValues = {
  source: { host: '', port: 5432, database: '', username: '', password: '', sslMode: 'disable', caCert: '' },
  destination: {
    brokers: '',
    securityProtocol: 'PLAINTEXT',
    saslMechanism: '',
    username: '',
    password: '',
    caCert: '',
    clientCert: '',
    clientKey: '',
    verifyHostname: true,
    schemaRegistry: EMPTY_SCHEMA_REGISTRY,
  },
};

/** Debezium's own defaults (schemas.enable and tombstones aside, which suit Flink and most sinks off). */
export const DEFAULT_FORMAT_OPTIONS: PolicyValues['formatOptions'] = { includeSchema: false, tombstones: false, decimalHandling: 'precise', timeHandling: 'micros' };

export const DEFAULT_POLICY: PolicyValues = {
  dmlOperations: [...DML_OPERATIONS],
  slotName: '',
  objectScope: 'tables',
  schemas: [],
  tables: [],
  topicPolicy: { mode: 'specific', topic: '', nameFormat: DEFAULT_NAME_FORMAT, ...AUTO_TOPIC_DEFAULTS },
  partitionPolicy: 'table',
  format: 'json',
  formatOptions: DEFAULT_FORMAT_OPTIONS,
  compression: 'none',
  schemaChangeTopic: '',
  syncMode: 'full+incremental',
};

export const DEFAULT_CONFIRM: ConfirmValues = {
  start: { mode: 'now', at: '' },
  alarms: {
    notify: false,
    channelIds: [],
    delayThresholdSeconds: 0,
    delaySustainSeconds: 360,
    dataExceptionNotify: false,
    abnormalStopDays: 14,
    walRetentionLimitMb: '',
  },
  // Blank: the API's defaults (the hints name them).
  throttle: { rowsPerSecond: '', mbPerSecond: '', snapshotRowsPerSecond: '' },
  retry: { connectionMinutes: '', otherMinutes: '' },
  agree: false,
};

function columnList(text: string): string[] {
  return text
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
}

export function basicInput(v: BasicValues): Pick<CreateTaskInput, 'name' | 'description' | 'tags'> {
  return withoutBlanks({ name: v.name.trim(), description: v.description, tags: v.tags.map((t) => ({ key: t.key.trim(), value: t.value })) }) as never;
}

/** A saved connection chosen: the task takes its settings and password on the server. */
const savedReference = (connectionId: string) => ({ connectionId }) as never;

/** The settings as typed, also what "Save this connection" saves. */
export function sourceInput(v: SourceValues): CreateTaskInput['source'] {
  if (v.connectionId) return savedReference(v.connectionId);
  const { connectionId: _ref, saveAs: _name, ...typed } = v;
  const needsCa = v.sslMode === 'verify-ca' || v.sslMode === 'verify-full';
  return withoutBlanks({ ...typed, host: v.host.trim(), port: num(v.port), caCert: needsCa ? v.caCert : '' }) as CreateTaskInput['source'];
}

export function destinationInput(v: DestinationValues): CreateTaskInput['destination'] {
  if (v.connectionId) return savedReference(v.connectionId);
  const sasl = v.securityProtocol === 'SASL_PLAINTEXT' || v.securityProtocol === 'SASL_SSL';
  const tls = v.securityProtocol === 'SSL' || v.securityProtocol === 'SASL_SSL';
  const registry = v.schemaRegistry ?? EMPTY_SCHEMA_REGISTRY;
  // Fields of another protocol stay in the form (switching back keeps them) but are not sent.
  return withoutBlanks({
    brokers: v.brokers,
    securityProtocol: v.securityProtocol,
    saslMechanism: sasl ? v.saslMechanism : '',
    username: sasl ? v.username : '',
    password: sasl ? v.password : '',
    caCert: tls ? v.caCert : '',
    clientCert: tls ? v.clientCert : '',
    clientKey: tls ? v.clientKey : '',
    verifyHostname: v.verifyHostname,
    schemaRegistry: registry.url.trim() ? { url: registry.url.trim(), username: registry.username, password: registry.password } : undefined,
  }) as CreateTaskInput['destination'];
}

export function tableInput(t: TableValues): CreateTaskInput['policy']['tables'] extends (infer U)[] | undefined ? U : never {
  const columns = columnList(t.columns);
  return withoutBlanks({
    schema: t.schema,
    table: t.table,
    topic: t.topic,
    dmlOperations: t.dmlOperations ?? undefined,
    filter: t.filter,
    includeColumns: t.columnMode === 'include' ? columns : undefined,
    excludeColumns: t.columnMode === 'exclude' ? columns : undefined,
  }) as never;
}

export function policyInput(v: PolicyValues): CreateTaskInput['policy'] {
  const tp = v.topicPolicy;
  return withoutBlanks({
    dmlOperations: v.dmlOperations,
    slotName: v.slotName,
    objectScope: v.objectScope,
    tables: v.tables.map(tableInput),
    schemas: v.objectScope === 'database' && v.schemas.length ? v.schemas : undefined,
    topicPolicy:
      tp.mode === 'specific'
        ? { mode: tp.mode, topic: tp.topic.trim() }
        : { mode: tp.mode, nameFormat: tp.nameFormat, partitions: num(tp.partitions), replicationFactor: num(tp.replicationFactor) },
    partitionPolicy: v.partitionPolicy,
    format: v.format,
    formatOptions: v.format === 'debezium-json' ? { ...v.formatOptions } : undefined,
    compression: v.compression,
    schemaChangeTopic: v.schemaChangeTopic.trim() || undefined,
    syncMode: v.syncMode,
  }) as CreateTaskInput['policy'];
}

/** `YYYY-MM-DDTHH:mm` of the browser's zone as an ISO instant, which the API requires. */
export function localDateTimeToIso(local: string): string {
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

export function isoToLocalDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function confirmInput(v: ConfirmValues): Pick<CreateTaskInput, 'start' | 'alarms' | 'throttle' | 'retry'> {
  const a = v.alarms;
  const run = runSettingsInput(v);
  return withoutBlanks({
    throttle: run.throttle,
    retry: run.retry,
    start: v.start.mode === 'at' ? { mode: 'at', at: localDateTimeToIso(v.start.at) } : { mode: 'now' },
    alarms: {
      notify: a.notify,
      channelIds: a.notify ? a.channelIds : [],
      delayThresholdSeconds: num(a.delayThresholdSeconds),
      delaySustainSeconds: num(a.delaySustainSeconds),
      dataExceptionNotify: a.dataExceptionNotify,
      abnormalStopDays: num(a.abnormalStopDays),
      walRetentionLimitMb: num(a.walRetentionLimitMb ?? ''),
    },
  }) as never;
}

/**
 * A merge patch that makes the stored object equal `next`: keys the task has but `next` lacks
 * are removed with null (a cleared optional field), except `keep` (write-only credentials left
 * blank mean "unchanged"). Arrays and values replace.
 */
export function replacingPatch(stored: unknown, next: unknown, keep: string[] = [], path = ''): unknown {
  if (!isPlainObject(stored) || !isPlainObject(next)) return next;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) out[k] = replacingPatch(stored[k], v, keep, path ? `${path}.${k}` : k);
  for (const k of Object.keys(stored)) {
    const at = path ? `${path}.${k}` : k;
    if (!(k in next) && !keep.includes(at)) out[k] = null;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Read-only and flag fields of a task view that are not part of what the wizard edits. */
const SECRET_FLAGS = ['passwordSet', 'clientKeySet'];

export function storedConnection<T extends object>(view: T): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(view)
      .filter(([k]) => !SECRET_FLAGS.includes(k))
      // destination.schemaRegistry has its own passwordSet
      .map(([k, v]) => [k, isPlainObject(v) ? storedConnection(v) : v]),
  );
}

/**
 * What the wizard creates a task with at step 2, before step 3 chose its objects (the API needs a
 * complete policy). Step 3 replaces it; until then the task cannot pass a precheck unnoticed.
 */
export const PLACEHOLDER_POLICY = { objectScope: 'database', topicPolicy: { mode: 'auto', nameFormat: DEFAULT_NAME_FORMAT } } as const;

/**
 * Whether a saved policy is still that placeholder. A user who really chose every table of the
 * database with the default name format, and left before the precheck, picks it again: the form
 * never proposes streaming the whole database on its own.
 */
export function isPlaceholderPolicy(p: TaskView['policy']): boolean {
  return (
    p.objectScope === 'database' &&
    !p.schemas?.length &&
    !(p.tables ?? []).length &&
    p.topicPolicy.mode === 'auto' &&
    p.topicPolicy.nameFormat === DEFAULT_NAME_FORMAT
  );
}

/** The step-2 values of a saved source and destination (a task's, or a saved connection's): passwords blank, kept on the server. */
export function connectionValuesFrom(s: TaskView['source'], d: TaskView['destination']): ConnectionValues {
  return {
    source: { host: s.host, port: s.port, database: s.database, username: s.username, password: '', sslMode: s.sslMode ?? 'disable', caCert: s.caCert ?? '', connectionId: s.connectionId ?? '' },
    destination: {
      connectionId: d.connectionId ?? '',
      brokers: d.brokers,
      securityProtocol: d.securityProtocol ?? 'PLAINTEXT',
      saslMechanism: d.saslMechanism ?? '',
      username: d.username ?? '',
      password: '',
      caCert: d.caCert ?? '',
      clientCert: d.clientCert ?? '',
      clientKey: '',
      verifyHostname: d.verifyHostname ?? true,
      schemaRegistry: { url: d.schemaRegistry?.url ?? '', username: d.schemaRegistry?.username ?? '', password: '' },
    },
  };
}

/** The wizard's values for a task that already exists (continuing its setup). */
export function valuesFromTask(task: TaskView): { basic: BasicValues; connections: ConnectionValues; policy: PolicyValues; confirm: ConfirmValues } {
  const s = task.source;
  const d = task.destination;
  const p = task.policy;
  const defaultSlot = `walbridge_${task.id.replace(/-/g, '_')}`;
  return {
    basic: { name: task.name, description: task.description ?? '', tags: (task.tags ?? []).map((t) => ({ key: t.key, value: t.value ?? '' })) },
    connections: connectionValuesFrom(s, d),
    policy: {
      dmlOperations: p.dmlOperations ?? [...DML_OPERATIONS],
      slotName: p.slotName && p.slotName !== defaultSlot ? p.slotName : '',
      objectScope: p.objectScope ?? 'tables',
      schemas: p.schemas ?? [],
      tables: (p.tables ?? []).map((t) => ({
        schema: t.schema,
        table: t.table,
        topic: t.topic ?? '',
        dmlOperations: t.dmlOperations ?? null,
        filter: t.filter ?? '',
        columnMode: t.includeColumns?.length ? 'include' : t.excludeColumns?.length ? 'exclude' : 'all',
        columns: (t.includeColumns?.length ? t.includeColumns : (t.excludeColumns ?? [])).join(', '),
      })),
      topicPolicy: {
        mode: p.topicPolicy.mode,
        topic: p.topicPolicy.topic ?? '',
        nameFormat: p.topicPolicy.nameFormat ?? DEFAULT_NAME_FORMAT,
        partitions: p.topicPolicy.partitions ?? AUTO_TOPIC_DEFAULTS.partitions,
        replicationFactor: p.topicPolicy.replicationFactor ?? AUTO_TOPIC_DEFAULTS.replicationFactor,
      },
      partitionPolicy: p.partitionPolicy ?? 'table',
      format: p.format ?? 'json',
      formatOptions: { ...DEFAULT_FORMAT_OPTIONS, ...p.formatOptions },
      compression: p.compression ?? 'none',
      schemaChangeTopic: p.schemaChangeTopic ?? '',
      syncMode: p.syncMode ?? 'incremental',
    },
    confirm: {
      start: { mode: task.start?.mode ?? 'now', at: isoToLocalDateTime(task.start?.at) },
      alarms: { ...DEFAULT_CONFIRM.alarms, ...task.alarms },
      throttle: runSettingsFromTask(task).throttle,
      retry: runSettingsFromTask(task).retry,
      agree: false,
    },
  };
}
