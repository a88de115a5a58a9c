import { qualifiedName, quoteIdent } from '../sql-text';
import type { KafkaFacts, PrecheckTask, SourceFacts } from './precheck-facts';
import type { TopicPlan } from './evaluate-destination';
import type { PrecheckOutcome } from './precheck-items';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

function size(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} kB`;
}

function count(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} million` : n.toLocaleString('en-US');
}

/**
 * Full synchronization (issue 13 item 7): what reading the existing rows needs, said before the
 * start. FAILED when the snapshot could not run (the watermarks cannot be written, a table or a
 * partition cannot be read); ALARM for tables read by ctid ranges, where a row changed while its
 * range is read may arrive twice; PASSED names how each table is read and how much there is.
 */
export function fullSync(task: PrecheckTask, facts: SourceFacts): PrecheckOutcome {
  const key = 'full-sync' as const;
  if (task.policy.syncMode !== 'full+incremental') {
    return {
      key,
      result: 'PASSED',
      reason: 'not needed: the task synchronizes changes only (syncMode incremental), so the rows that exist before it starts do not reach Kafka',
      suggestion: null,
      affectedObjects: [],
    };
  }
  const snapshot = facts.snapshot;
  if (!snapshot) return { key, result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] };
  const role = quoteIdent(facts.role);
  const failures: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];

  if (!snapshot.emitMessage.ok) {
    const { message, code } = snapshot.emitMessage;
    failures.push(`the role ${facts.role} cannot write the snapshot's chunk watermarks into the WAL with pg_logical_emit_message (${message})`);
    if (code === '25006') suggestions.push(`connect the task to the primary and make sure the role's sessions are not read-only: ALTER ROLE ${role} SET default_transaction_read_only = off;`);
    else if (code === '42501') suggestions.push(`as a superuser: GRANT EXECUTE ON FUNCTION pg_logical_emit_message(boolean, text, text) TO ${role};`);
    else suggestions.push('make pg_logical_emit_message callable by the task\'s role, or choose syncMode incremental');
  }

  const selectable = new Map(facts.tables.map((t) => [`${t.schema}.${t.table}`, t]));
  const unreadable = snapshot.tables.filter((t) => selectable.get(`${t.schema}.${t.table}`)?.canSelect === false);
  if (unreadable.length) {
    failures.push(`the existing rows of ${unreadable.map((t) => `${t.schema}.${t.table}`).join(', ')} cannot be read without SELECT`);
    suggestions.push(`GRANT SELECT ON ${unreadable.map((t) => qualifiedName(t.schema, t.table)).join(', ')} TO ${role};`);
    affected.push(...unreadable.map((t) => qualifiedName(t.schema, t.table)));
  }

  const plans = snapshot.tables.map((t) => {
    const pk = selectable.get(`${t.schema}.${t.table}`)?.primaryKey ?? [];
    const by = pk.length ? `primary key (${pk.join(', ')})` : t.identityIndex.length ? `replica identity index (${t.identityIndex.join(', ')})` : null;
    return { t, by };
  });
  const keyless = plans.filter((p) => !p.by);
  const leafless = keyless.filter((p) => p.t.partitioned && p.t.unreadableLeaves.length);
  if (leafless.length) {
    const leaves = leafless.flatMap((p) => p.t.unreadableLeaves);
    failures.push(
      `${leafless.map((p) => `${p.t.schema}.${p.t.table}`).join(', ')} ${leafless.length > 1 ? 'have' : 'has'} no key, so ${leafless.length > 1 ? 'they are' : 'it is'} read partition by partition, and the role may not read ${leaves.join(', ')}`,
    );
    suggestions.push(`GRANT SELECT ON ${leaves.join(', ')} TO ${role}; (or give the partitioned table a primary key)`);
    affected.push(...leaves);
  }

  const rows = snapshot.tables.reduce((n, t) => n + (t.rowsEstimated ?? 0), 0);
  const unanalyzed = snapshot.tables.filter((t) => t.rowsEstimated === null).map((t) => `${t.schema}.${t.table}`);
  const bytes = snapshot.tables.reduce((n, t) => n + t.bytes, 0);
  const byKey = plans.filter((p) => p.by).map((p) => `${p.t.schema}.${p.t.table} by its ${p.by}`);
  const byCtid = keyless.map((p) => `${p.t.schema}.${p.t.table} by ctid ranges${p.t.partitioned ? ' of each partition' : ''}`);
  const summary =
    `${rowsText(rows, unanalyzed, snapshot.tables.length)} (${size(bytes)} on disk${unanalyzed.length ? `; ${unanalyzed.join(', ')} never analyzed: ANALYZE ${unanalyzed.length > 1 ? 'them' : 'it'} for an estimate` : ''}) ` +
    `in ${snapshot.tables.length} table${snapshot.tables.length === 1 ? '' : 's'}, ` +
    `read in short chunks without locks while changes keep streaming` +
    (byKey.length || byCtid.length ? `: ${[...byKey, ...byCtid].join('; ')}` : '');

  if (failures.length) {
    return { key, result: 'FAILED', reason: failures.join('; '), suggestion: [...new Set(suggestions)].join('\n'), affectedObjects: [...new Set(affected)] };
  }
  if (keyless.length) {
    return {
      key,
      result: 'ALARM',
      reason: `${summary}. Without a primary key, a row updated or deleted while its range is read may be delivered twice (as it was, then as the change)`,
      suggestion: `give ${keyless.map((p) => `${p.t.schema}.${p.t.table}`).join(', ')} a primary key, or confirm if consumers tolerate a repeated row of a keyless table`,
      affectedObjects: keyless.map((p) => qualifiedName(p.t.schema, p.t.table)),
    };
  }
  return { key, result: 'PASSED', reason: summary, suggestion: null, affectedObjects: [] };
}

/**
 * Topic retention (issue 13 item 7, "estimated size vs the destination"): an existing topic that
 * deletes by size must keep at least what the existing rows take on the source's disk (a lower
 * bound: the messages are larger), or its oldest snapshot rows go before the topic holds the
 * whole table. Compacted topics and unlimited retention pass; topics the task creates get the
 * broker's defaults.
 */
export function snapshotRetention(task: PrecheckTask, facts: KafkaFacts, plan: TopicPlan | null, tableBytes?: ReadonlyMap<string, number>): PrecheckOutcome {
  const key = 'kafka-retention' as const;
  if (task.policy.syncMode !== 'full+incremental' || !plan || !tableBytes) return { key, result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] };
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  for (const topic of facts.topics) {
    if (!topic.exists || !topic.partitions || topic.retentionBytes == null || topic.retentionBytes < 0) continue;
    if (!(topic.cleanupPolicy ?? 'delete').split(',').includes('delete')) continue;
    const bytes = (plan.topics.get(topic.name) ?? []).reduce((n, t) => n + (tableBytes.get(t) ?? 0), 0);
    const kept = topic.retentionBytes * topic.partitions;
    if (bytes <= kept) continue;
    reasons.push(
      `topic ${topic.name} keeps ${size(kept)} (retention.bytes ${topic.retentionBytes} on ${topic.partitions} partition${topic.partitions === 1 ? '' : 's'}), ` +
        `less than the ${size(bytes)} its tables take on the source's disk: the oldest snapshot rows would be deleted before it holds the whole table`,
    );
    const perPartition = Math.ceil((bytes * 3) / topic.partitions);
    suggestions.push(
      `kafka-configs.sh --bootstrap-server ${task.brokers} --alter --entity-type topics --entity-name ${topic.name} --add-config retention.bytes=${perPartition}  (or cleanup.policy=compact, or retention.bytes=-1)`,
    );
    affected.push(`topic ${topic.name}`);
  }
  if (!reasons.length) return { key, result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] };
  return { key, result: 'ALARM', reason: reasons.join('; '), suggestion: suggestions.join('\n'), affectedObjects: affected };
}

/** PostgreSQL knows a row count only after a VACUUM or ANALYZE: an unknown count is said as such. */
function rowsText(rows: number, unanalyzed: readonly string[], tables: number): string {
  if (!unanalyzed.length) return `about ${count(rows)} existing rows`;
  if (unanalyzed.length === tables) return 'an unknown number of existing rows';
  return `about ${count(rows)} existing rows plus an unknown number in ${unanalyzed.join(', ')}`;
}
