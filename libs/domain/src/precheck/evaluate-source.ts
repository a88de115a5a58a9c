import { generatedColumns, newTables } from './evaluate-schema-evolution';
import { fullSync } from './evaluate-snapshot';
import { RowFilterError, compileRowFilter, hasRowFilter, parseRowFilter, rowFilterColumns } from '../row-filter';
import { qualifiedName, quoteIdent, quoteLiteral } from '../sql-text';
import type { ConnectionFailure, PrecheckTask, SourceFacts, TableFact } from './precheck-facts';
import type { PrecheckItemKey, PrecheckOutcome } from './precheck-items';

export const SOURCE_ITEM_KEYS = [
  'source-connectivity',
  'source-version',
  'wal-level',
  'replication-slots',
  'replication-permission',
  'privileges',
  'publication-permission',
  'output-plugin',
  'objects',
  'replica-identity',
  'toast-key-columns',
  'table-settings',
  'long-transactions',
  'slot-and-publication',
  'wal-retention',
  'new-tables',
  'generated-columns',
  'full-sync',
] as const satisfies readonly PrecheckItemKey[];

const OBJECT_NAME_FORBIDDEN = /[".'<>]/;
const GIB = 1024 ** 3;
const RETAINED_ALARM_BYTES = GIB;

function passed(key: PrecheckItemKey): PrecheckOutcome {
  return { key, result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] };
}

function outcome(key: PrecheckItemKey, result: 'ALARM' | 'FAILED', reasons: string[], suggestions: string[], affected: string[] = []): PrecheckOutcome {
  return { key, result, reason: reasons.join('; '), suggestion: [...new Set(suggestions)].join('\n'), affectedObjects: [...new Set(affected)] };
}

const tableName = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;
const role = (facts: SourceFacts) => quoteIdent(facts.role);

function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/** Every source item when the source could not be reached: the first says why, the others wait for it. */
export function sourceItemsWithoutConnection(failure: ConnectionFailure): PrecheckOutcome[] {
  return SOURCE_ITEM_KEYS.map((key) =>
    key === 'source-connectivity'
      ? outcome(key, 'FAILED', [failure.message], [failure.suggestion])
      : outcome(key, 'FAILED', ['not checked: the source database could not be reached (see "Source database connectivity")'], [
          'fix the source connection, then check again',
        ]),
  );
}

export function evaluateSource(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome[] {
  return [
    passed('source-connectivity'),
    sourceVersion(task, facts),
    walLevel(facts),
    replicationSlots(task, facts),
    replicationPermission(facts),
    privileges(facts),
    publicationPermission(task, facts),
    outputPlugin(facts),
    objects(task, facts),
    replicaIdentity(facts),
    toastKeyColumns(facts),
    tableSettings(task, facts),
    longTransactions(task, facts),
    slotAndPublication(task, facts),
    walRetention(facts),
    newTables(task, facts),
    generatedColumns(facts),
    fullSync(task, facts),
  ];
}

function sourceVersion(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  const reasons: string[] = [];
  const suggestions: string[] = [];
  if (task.policy.syncMode === 'full+incremental' && facts.versionNum >= 100000 && facts.versionNum < 130000) {
    // The snapshot's watermark windows need the snapshot's in-progress list (pg_current_snapshot).
    reasons.push(`full synchronization (syncMode full+incremental) needs PostgreSQL 13 or later; the source runs ${facts.version}`);
    suggestions.push('choose syncMode incremental, or upgrade the source to PostgreSQL 13 or later');
  }
  if (facts.versionNum < 100000) {
    reasons.push(`PostgreSQL ${facts.version} is not supported: logical replication with pgoutput needs PostgreSQL 10 or later`);
    suggestions.push('upgrade the source to PostgreSQL 10 or later (a supported major version is advised)');
  }
  if (facts.inRecovery) {
    reasons.push('the source is a standby (pg_is_in_recovery() is true): publications and slots are created on the primary');
    suggestions.push('connect the task to the primary server');
  }
  return reasons.length ? outcome('source-version', 'FAILED', reasons, suggestions) : passed('source-version');
}

function walLevel(facts: SourceFacts): PrecheckOutcome {
  if (facts.walLevel === 'logical') return passed('wal-level');
  return outcome(
    'wal-level',
    'FAILED',
    [`wal_level is ${facts.walLevel}; logical decoding needs logical`],
    ['ALTER SYSTEM SET wal_level = logical;\n-- then restart PostgreSQL: wal_level only changes at server start'],
    ['setting wal_level'],
  );
}

function replicationSlots(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  const ownSlot = facts.slots.some((s) => s.name === task.slotName);
  const max = facts.maxReplicationSlots;
  if (!ownSlot && facts.slots.length >= max) {
    reasons.push(`all replication slots are in use (${facts.slots.length} of max_replication_slots = ${max})`);
    const inactive = facts.slots.filter((s) => !s.active);
    for (const s of inactive) suggestions.push(`SELECT pg_drop_replication_slot(${quoteLiteral(s.name)}); -- inactive ${s.type} slot, if it is no longer needed`);
    suggestions.push(`ALTER SYSTEM SET max_replication_slots = ${facts.slots.length + 1};\n-- then restart PostgreSQL`);
    affected.push(...facts.slots.map((s) => `slot ${s.name} (${s.type}, ${s.active ? 'active' : 'inactive'})`));
  }
  if (facts.maxWalSenders < max) {
    reasons.push(`max_wal_senders (${facts.maxWalSenders}) is lower than max_replication_slots (${max})`);
    suggestions.push(`ALTER SYSTEM SET max_wal_senders = ${max};\n-- then restart PostgreSQL`);
    affected.push('setting max_wal_senders');
  }
  return reasons.length ? outcome('replication-slots', 'FAILED', reasons, suggestions, affected) : passed('replication-slots');
}

function replicationPermission(facts: SourceFacts): PrecheckOutcome {
  if (!facts.superuser && !facts.replicationRole) {
    return outcome(
      'replication-permission',
      'FAILED',
      [`role ${facts.role} is neither a superuser nor has the REPLICATION attribute`],
      [`ALTER ROLE ${role(facts)} WITH REPLICATION;`],
      [`role ${facts.role}`],
    );
  }
  if (!facts.replicationConnection.ok) {
    const { message, code } = facts.replicationConnection;
    const suggestions: string[] = [];
    if (/pg_hba\.conf/.test(message)) {
      const address = facts.clientAddress ? `${facts.clientAddress}/${facts.clientAddress.includes(':') ? 128 : 32}` : '<client address>/32';
      suggestions.push(
        `add to pg_hba.conf: host ${facts.database} ${facts.role} ${address} scram-sha-256\nSELECT pg_reload_conf();`,
      );
    } else if (code === '53300' || /max_wal_senders|standby connections|wal senders/.test(message)) {
      suggestions.push(`ALTER SYSTEM SET max_wal_senders = ${Math.max(facts.maxWalSenders + 1, facts.maxReplicationSlots)};\n-- then restart PostgreSQL`);
    } else {
      suggestions.push('check the server log of the source for the refused replication connection');
    }
    return outcome('replication-permission', 'FAILED', [`a replication connection could not be opened: ${message}`], suggestions, [`role ${facts.role}`]);
  }
  return passed('replication-permission');
}

function privileges(facts: SourceFacts): PrecheckOutcome {
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  if (!facts.canConnect) {
    reasons.push(`role ${facts.role} has no CONNECT privilege on database ${facts.database}`);
    suggestions.push(`GRANT CONNECT ON DATABASE ${quoteIdent(facts.database)} TO ${role(facts)};`);
    affected.push(`database ${facts.database}`);
  }
  const noUsage = facts.schemas.filter((s) => s.exists && !s.usage);
  if (noUsage.length) {
    reasons.push(`no USAGE on schema ${noUsage.map((s) => s.name).join(', ')}`);
    for (const s of noUsage) suggestions.push(`GRANT USAGE ON SCHEMA ${quoteIdent(s.name)} TO ${role(facts)};`);
    affected.push(...noUsage.map((s) => `schema ${s.name}`));
  }
  const noSelect = facts.tables.filter((t) => t.exists && !t.canSelect);
  if (noSelect.length) {
    reasons.push(`no SELECT on ${noSelect.map(tableName).join(', ')}`);
    for (const t of noSelect) suggestions.push(`GRANT SELECT ON ${qualifiedName(t.schema, t.table)} TO ${role(facts)};`);
    affected.push(...noSelect.map(tableName));
  }
  return reasons.length ? outcome('privileges', 'FAILED', reasons, suggestions, affected) : passed('privileges');
}

function publicationPermission(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  if (facts.superuser) return passed('publication-permission');
  const capturable = facts.tables.filter((t) => t.exists);
  // An existing publication of this task is only altered when the selection changed, which
  // also needs ownership; a new one needs CREATE on the database as well.
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  if (!facts.canCreateInDatabase && !facts.publicationExists) {
    reasons.push(`role ${facts.role} has no CREATE privilege on database ${facts.database}, which CREATE PUBLICATION needs`);
    suggestions.push(`GRANT CREATE ON DATABASE ${quoteIdent(facts.database)} TO ${role(facts)};`);
    affected.push(`database ${facts.database}`);
  }
  const notOwned = capturable.filter((t) => !t.owned);
  if (notOwned.length) {
    reasons.push(`role ${facts.role} does not own ${notOwned.map(tableName).join(', ')}; only the owner may add a table to a publication`);
    for (const t of notOwned) suggestions.push(`ALTER TABLE ${qualifiedName(t.schema, t.table)} OWNER TO ${role(facts)};`);
    affected.push(...notOwned.map(tableName));
  }
  if (!reasons.length) return passed('publication-permission');
  const list = capturable.map((t) => qualifiedName(t.schema, t.table)).join(', ');
  suggestions.push(`-- or let a superuser create the publication, which the task then uses as it is:\nCREATE PUBLICATION ${quoteIdent(task.publicationName)} FOR TABLE ${list};`);
  return outcome('publication-permission', 'FAILED', reasons, suggestions, affected);
}

function outputPlugin(facts: SourceFacts): PrecheckOutcome {
  if (facts.versionNum >= 100000) return passed('output-plugin');
  return outcome('output-plugin', 'FAILED', [`pgoutput is not available in PostgreSQL ${facts.version}`], ['upgrade the source to PostgreSQL 10 or later']);
}

const KIND_NAMES: Record<string, string> = { v: 'a view', m: 'a materialized view', f: 'a foreign table', S: 'a sequence', i: 'an index', c: 'a composite type' };

function objects(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  const missingSchemas = facts.schemas.filter((s) => !s.exists);
  if (missingSchemas.length && task.policy.objectScope === 'database') {
    reasons.push(`schema ${missingSchemas.map((s) => s.name).join(', ')} does not exist`);
    suggestions.push('remove the schema from the selection, or create it');
    affected.push(...missingSchemas.map((s) => `schema ${s.name}`));
  }
  const missing = facts.tables.filter((t) => !t.exists);
  if (missing.length) {
    reasons.push(`${missing.map(tableName).join(', ')} does not exist`);
    suggestions.push('remove the missing tables from the selection (names are case-sensitive), or create them');
    affected.push(...missing.map(tableName));
  }
  const notTables = facts.tables.filter((t) => t.exists && t.kind !== 'r' && t.kind !== 'p');
  for (const t of notTables) {
    reasons.push(`${tableName(t)} is ${KIND_NAMES[t.kind ?? ''] ?? 'not a table'}; only tables can be replicated`);
    affected.push(tableName(t));
  }
  if (notTables.length) suggestions.push('select the underlying tables instead');
  const temporary = facts.tables.filter((t) => t.exists && t.persistence === 't');
  if (temporary.length) {
    reasons.push(`${temporary.map(tableName).join(', ')} is temporary; temporary tables are not written to the WAL`);
    suggestions.push('remove temporary tables from the selection');
    affected.push(...temporary.map(tableName));
  }
  const unlogged = facts.tables.filter((t) => t.exists && t.persistence === 'u');
  if (unlogged.length) {
    reasons.push(`${unlogged.map(tableName).join(', ')} is unlogged; unlogged tables are not written to the WAL`);
    for (const t of unlogged) suggestions.push(`ALTER TABLE ${qualifiedName(t.schema, t.table)} SET LOGGED;`);
    affected.push(...unlogged.map(tableName));
  }
  const badNames = facts.tables.filter((t) => OBJECT_NAME_FORBIDDEN.test(t.schema) || OBJECT_NAME_FORBIDDEN.test(t.table));
  if (badNames.length) {
    reasons.push(`the names of ${badNames.map(tableName).join(', ')} contain one of " . ' < >, which are not supported`);
    suggestions.push('rename these tables, or select tables individually without them');
    affected.push(...badNames.map(tableName));
  }
  if (task.policy.objectScope === 'database' && !missingSchemas.length && facts.tables.length === 0) {
    reasons.push('no table found to capture in the selected schemas');
    suggestions.push('select schemas that contain tables');
  }
  return reasons.length ? outcome('objects', 'FAILED', reasons, suggestions, affected) : passed('objects');
}

const isCapturable = (t: TableFact) => t.exists && (t.kind === 'r' || t.kind === 'p') && t.persistence === 'p';

function replicaIdentity(facts: SourceFacts): PrecheckOutcome {
  const bad = facts.tables.filter(
    (t) => isCapturable(t) && (t.replicaIdentity === 'n' || (t.replicaIdentity === 'd' && t.primaryKey.length === 0)),
  );
  if (!bad.length) return passed('replica-identity');
  const reasons = bad.map((t) =>
    t.replicaIdentity === 'n'
      ? `${tableName(t)} has REPLICA IDENTITY NOTHING`
      : `${tableName(t)} has no primary key and REPLICA IDENTITY DEFAULT`,
  );
  return outcome(
    'replica-identity',
    'FAILED',
    [`${reasons.join('; ')}: once published, UPDATE and DELETE on it fail on the source and cannot be captured`],
    bad.map((t) => `ALTER TABLE ${qualifiedName(t.schema, t.table)} REPLICA IDENTITY FULL;`),
    bad.map(tableName),
  );
}

function toastKeyColumns(facts: SourceFacts): PrecheckOutcome {
  const risky = facts.tables.filter((t) => isCapturable(t) && t.replicaIdentity !== 'f' && t.primaryKey.length > 0 && t.toastableKeyColumns.length > 0);
  if (!risky.length) return passed('toast-key-columns');
  return outcome(
    'toast-key-columns',
    'ALARM',
    risky.map((t) => `${tableName(t)}: primary key column ${t.toastableKeyColumns.join(', ')} can be stored out of line (TOAST), so an old key image may arrive without its value`),
    risky.map((t) => `ALTER TABLE ${qualifiedName(t.schema, t.table)} REPLICA IDENTITY FULL;`),
    risky.map(tableName),
  );
}

/** Row filters and column lists against the columns the source has (PRODUCT.md §2, §5). */
function tableSettings(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  const failures: string[] = [];
  const failureFixes: string[] = [];
  const alarms: string[] = [];
  const alarmFixes: string[] = [];
  const affected: string[] = [];
  for (const selection of task.policy.tables) {
    const fact = facts.tables.find((t) => t.schema === selection.schema && t.table === selection.table);
    if (!fact?.exists || !fact.columns) continue; // a missing table is the objects item's business
    const name = tableName(selection);
    const columns = fact.columns;
    const names = new Set(columns.map((c) => c.name));
    for (const list of ['includeColumns', 'excludeColumns'] as const) {
      const unknown = (selection[list] ?? []).filter((c) => !names.has(c));
      if (unknown.length) {
        failures.push(`${list} of ${name} names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are not columns' : 'is not a column'} of the table`);
        failureFixes.push(`remove ${unknown.join(', ')} from ${list} of ${name} (names are case-sensitive)`);
        affected.push(name);
      }
    }
    if (!hasRowFilter(selection.filter)) continue;
    try {
      compileRowFilter(selection.filter, columns);
    } catch (error) {
      if (!(error instanceof RowFilterError)) throw error;
      failures.push(`the row filter of ${name} does not fit the table: position ${error.position}: ${error.reason}`);
      failureFixes.push(`correct the filter of ${name}`);
      affected.push(name);
      continue;
    }
    const read = rowFilterColumns(parseRowFilter(selection.filter)).map((n) => columns.find((c) => c.name === n)!);
    const operations = selection.dmlOperations ?? task.policy.dmlOperations;
    const fullIdentity = fact.replicaIdentity === 'f';
    const notInKey = read.filter((c) => !c.identity);
    if (operations.includes('DELETE') && notInKey.length && !fullIdentity) {
      alarms.push(
        `DELETEs of ${name} carry only the key columns, so its row filter cannot read ${notInKey.map((c) => c.name).join(', ')} on them: every DELETE is sent`,
      );
      alarmFixes.push(`ALTER TABLE ${qualifiedName(selection.schema, selection.table)} REPLICA IDENTITY FULL; -- so that DELETEs are filtered too`);
      affected.push(name);
    }
    const toasted = read.filter((c) => c.toastable);
    if (operations.includes('UPDATE') && toasted.length && !fullIdentity) {
      alarms.push(
        `an UPDATE of ${name} that leaves a large value (stored out of line, TOAST: over about 2 kB) of ${toasted.map((c) => c.name).join(', ')} ` +
          'unchanged does not carry that value, so the row filter cannot read it: such UPDATEs are sent',
      );
      alarmFixes.push(`ALTER TABLE ${qualifiedName(selection.schema, selection.table)} REPLICA IDENTITY FULL; -- so that such UPDATEs are filtered too`);
      affected.push(name);
    }
  }
  if (failures.length) return outcome('table-settings', 'FAILED', [...failures, ...alarms], [...failureFixes, ...alarmFixes], affected);
  if (alarms.length) return outcome('table-settings', 'ALARM', alarms, alarmFixes, affected);
  return passed('table-settings');
}

function longTransactions(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  if (facts.longTransactions.length) {
    reasons.push(
      `${facts.longTransactions.length} transaction(s) open for more than ${task.longTransactionSeconds} s; creating the replication slot waits until they end`,
    );
    for (const s of facts.longTransactions) {
      affected.push(
        `pid ${s.pid} (user ${s.user ?? '?'}, database ${s.database ?? '?'}${s.application ? `, application ${s.application}` : ''}, ${s.state ?? 'unknown state'}) open for ${Math.round(s.ageSeconds)} s`,
      );
      suggestions.push(`SELECT pg_terminate_backend(${s.pid}); -- or commit/roll back its transaction`);
    }
  }
  if (facts.preparedTransactions.length) {
    reasons.push(`${facts.preparedTransactions.length} prepared transaction(s) older than ${task.longTransactionSeconds} s; creating the replication slot waits until they end`);
    for (const p of facts.preparedTransactions) {
      affected.push(`prepared transaction ${p.gid} (owner ${p.owner ?? '?'}, database ${p.database ?? '?'}) for ${Math.round(p.ageSeconds)} s`);
      suggestions.push(`COMMIT PREPARED ${quoteLiteral(p.gid)}; -- or ROLLBACK PREPARED ${quoteLiteral(p.gid)};`);
    }
  }
  if (!facts.seesAllSessions) {
    reasons.push(`role ${facts.role} cannot see the transactions of other roles (needs pg_read_all_stats), so they were not checked`);
    suggestions.push(`GRANT pg_read_all_stats TO ${role(facts)};`);
  }
  return reasons.length ? outcome('long-transactions', 'ALARM', reasons, suggestions, affected) : passed('long-transactions');
}

function slotAndPublication(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  // A task that has started, that created its slot (a reset recreates it and sends the task back
  // to CONFIGURATION), or whose slot name carries its id owns what exists under its names.
  const ours = task.status !== 'CONFIGURATION' || task.ownsSlot === true || task.slotName === task.defaultSlotName;
  const slot = facts.slots.find((s) => s.name === task.slotName);
  if (slot) {
    if (slot.type !== 'logical' || slot.plugin !== 'pgoutput' || slot.database !== facts.database) {
      reasons.push(
        `replication slot ${slot.name} exists as a ${slot.type} slot${slot.plugin ? ` with plugin ${slot.plugin}` : ''}${slot.database ? ` on database ${slot.database}` : ''}, not a pgoutput slot on ${facts.database}`,
      );
      suggestions.push(`choose another slotName, or drop it if nothing uses it: SELECT pg_drop_replication_slot(${quoteLiteral(slot.name)});`);
      affected.push(`slot ${slot.name}`);
    } else if (!ours) {
      reasons.push(`replication slot ${slot.name} already exists (${slot.active ? 'in use' : 'inactive'}) and does not belong to this task`);
      suggestions.push(`choose another slotName, or drop it if nothing uses it: SELECT pg_drop_replication_slot(${quoteLiteral(slot.name)});`);
      affected.push(`slot ${slot.name}`);
    }
  }
  // A publication a DBA made FOR ALL TABLES / TABLES IN SCHEMA for a database-level task is used as it is.
  const followsSchemas = task.policy.objectScope === 'database' && (facts.publicationScope?.allTables || !!facts.publicationScope?.schemas.length);
  if (facts.publicationExists && !ours && !followsSchemas) {
    reasons.push(`publication ${task.publicationName} already exists; the task would change its table list`);
    suggestions.push(`choose another slotName (the publication takes the same name), or drop it if nothing uses it: DROP PUBLICATION ${quoteIdent(task.publicationName)};`);
    affected.push(`publication ${task.publicationName}`);
  }
  for (const other of task.slotNameUsedBy) {
    reasons.push(`task ${other.name} (${other.id}) uses replication slot ${task.slotName} on the same database`);
    suggestions.push('choose another slotName: two tasks cannot share a slot');
    affected.push(`task ${other.name}`);
  }
  return reasons.length ? outcome('slot-and-publication', 'FAILED', reasons, suggestions, affected) : passed('slot-and-publication');
}

function walRetention(facts: SourceFacts): PrecheckOutcome {
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  const limit = facts.maxSlotWalKeepSizeMb;
  if (limit === null) {
    reasons.push(`PostgreSQL ${facts.version} cannot limit the WAL a slot retains (max_slot_wal_keep_size needs PostgreSQL 13): a stalled slot keeps WAL until the disk is full`);
    suggestions.push("monitor the WAL retained by slots: SELECT slot_name, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots;");
  } else if (limit < 0) {
    reasons.push('max_slot_wal_keep_size is -1 (unlimited): while the task is paused or failing, its slot retains WAL until the disk of the source is full');
    suggestions.push("ALTER SYSTEM SET max_slot_wal_keep_size = '50GB'; -- a size the WAL disk can hold beside its usual WAL\nSELECT pg_reload_conf();");
    affected.push('setting max_slot_wal_keep_size');
  }
  const heavy = facts.slots.filter((s) => !s.active && (s.retainedBytes ?? 0) >= RETAINED_ALARM_BYTES);
  if (heavy.length) {
    reasons.push(`inactive slots already retain WAL: ${heavy.map((s) => `${s.name} ${formatBytes(s.retainedBytes!)}`).join(', ')}`);
    for (const s of heavy) suggestions.push(`SELECT pg_drop_replication_slot(${quoteLiteral(s.name)}); -- if it is no longer needed`);
    affected.push(...heavy.map((s) => `slot ${s.name}`));
  }
  return reasons.length ? outcome('wal-retention', 'ALARM', reasons, suggestions, affected) : passed('wal-retention');
}
