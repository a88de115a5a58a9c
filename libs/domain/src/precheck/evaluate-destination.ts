import { AUTO_TOPIC_DEFAULTS } from '@walbridge/vocabulary';
import { topicOfTable } from '../task-topics';
import type { ConnectionFailure, KafkaFacts, PrecheckTask } from './precheck-facts';
import type { PrecheckItemKey, PrecheckOutcome } from './precheck-items';
import { snapshotRetention } from './evaluate-snapshot';

export const DESTINATION_ITEM_KEYS = ['kafka-connectivity', 'kafka-topics', 'kafka-auto-create', 'kafka-retention'] as const satisfies readonly PrecheckItemKey[];

const DEFAULT_PARTITIONS = AUTO_TOPIC_DEFAULTS.partitions;
const DEFAULT_REPLICATION_FACTOR = AUTO_TOPIC_DEFAULTS.replicationFactor;

export interface TopicPlan {
  /** Topic → the tables that go to it. */
  topics: Map<string, string[]>;
  /** Topics the task expects to exist already (specific topic, per-table topics). */
  mustExist: Set<string>;
  /** Tables whose generated topic name is not valid. */
  invalid: { table: string; reason: string }[];
}

/**
 * Which topics a task writes to. `tables` are the tables it captures (for a database-level task,
 * as read from the source); null when they are not known (the source could not be read).
 */
export function planTopics(task: PrecheckTask, tables: ReadonlyArray<{ schema: string; table: string }> | null): TopicPlan | null {
  const { policy } = task;
  const plan: TopicPlan = { topics: new Map(), mustExist: new Set(), invalid: [] };
  const add = (topic: string, table: string, literal: boolean) => {
    const list = plan.topics.get(topic) ?? [];
    list.push(table);
    plan.topics.set(topic, list);
    if (literal) plan.mustExist.add(topic);
  };
  const list = tables ?? (policy.objectScope === 'tables' ? policy.tables : null);
  if (!list) {
    // Unknown tables: only a specific topic without overrides can still be checked.
    if (policy.topicPolicy.mode !== 'specific') return null;
    add(policy.topicPolicy.topic ?? '', '(all tables)', true);
    for (const t of policy.tables) if (t.topic) add(t.topic, `${t.schema}.${t.table}`, true);
    return plan;
  }
  for (const t of list) {
    const name = `${t.schema}.${t.table}`;
    const override = policy.tables.find((o) => o.schema === t.schema && o.table === t.table)?.topic;
    const result = topicOfTable(policy, task.source.database, t.schema, t.table);
    if (!result.ok) plan.invalid.push({ table: name, reason: result.reason });
    else add(result.name, name, Boolean(override) || policy.topicPolicy.mode === 'specific');
  }
  return plan;
}

function createCommand(task: PrecheckTask, topic: string, partitions: number, replicationFactor: number): string {
  return `kafka-topics.sh --bootstrap-server ${task.brokers} --create --topic ${topic} --partitions ${partitions} --replication-factor ${replicationFactor}`;
}

function failed(key: PrecheckItemKey, reasons: string[], suggestions: string[], affected: string[] = []): PrecheckOutcome {
  return { key, result: 'FAILED', reason: reasons.join('; '), suggestion: [...new Set(suggestions)].join('\n'), affectedObjects: [...new Set(affected)] };
}

export function destinationItemsWithoutConnection(failure: ConnectionFailure): PrecheckOutcome[] {
  return [
    failed('kafka-connectivity', [failure.message], [failure.suggestion]),
    failed('kafka-topics', ['not checked: no Kafka broker could be used (see "Kafka connectivity")'], ['fix the Kafka connection, then check again']),
    failed('kafka-auto-create', ['not checked: no Kafka broker could be used (see "Kafka connectivity")'], ['fix the Kafka connection, then check again']),
    failed('kafka-retention', ['not checked: no Kafka broker could be used (see "Kafka connectivity")'], ['fix the Kafka connection, then check again']),
  ];
}

/** `tableBytes`: on-disk size of each captured table (`schema.table`), for a full + incremental task. */
export function evaluateDestination(task: PrecheckTask, facts: KafkaFacts, plan: TopicPlan | null, tableBytes?: ReadonlyMap<string, number>): PrecheckOutcome[] {
  return [connectivity(facts), topics(task, facts, plan), autoCreate(facts), snapshotRetention(task, facts, plan, tableBytes)];
}

function connectivity(facts: KafkaFacts): PrecheckOutcome {
  if (facts.supportsIdempotence) return { key: 'kafka-connectivity', result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] };
  return failed(
    'kafka-connectivity',
    [`the brokers are older than Kafka 0.11 (found ${facts.brokerVersion}): the idempotent producer Walbridge uses is not available`],
    ['upgrade the Kafka brokers to 0.11 or later'],
  );
}

const ACL_HINT: Record<string, string> = {
  TOPIC_AUTHORIZATION_FAILED: 'grant the task\'s Kafka user Create on these topics (or on the cluster)',
  CLUSTER_AUTHORIZATION_FAILED: 'grant the task\'s Kafka user Create on the cluster',
};

function topics(task: PrecheckTask, facts: KafkaFacts, plan: TopicPlan | null): PrecheckOutcome {
  if (!plan) {
    return failed('kafka-topics', ['not checked: the tables of the task could not be read from the source, so their topic names are unknown'], [
      'fix the source items, then check again',
    ]);
  }
  const reasons: string[] = [];
  const suggestions: string[] = [];
  const affected: string[] = [];
  const byName = new Map(facts.topics.map((t) => [t.name, t]));
  for (const bad of plan.invalid) {
    reasons.push(`no valid topic name for ${bad.table}: ${bad.reason}`);
    affected.push(bad.table);
  }
  if (plan.invalid.length) suggestions.push('change policy.topicPolicy.nameFormat, or give these tables their own topic');
  const replicationFactor = task.policy.topicPolicy.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
  const partitions = task.policy.topicPolicy.partitions ?? DEFAULT_PARTITIONS;
  const missing = [...plan.mustExist].filter((t) => !byName.get(t)?.exists);
  if (missing.length) {
    reasons.push(`topic ${missing.join(', ')} does not exist`);
    for (const t of missing) suggestions.push(createCommand(task, t, 1, Math.min(3, facts.brokerCount)));
    affected.push(...missing.map((t) => `topic ${t}`));
  }
  const toCreate = [...plan.topics.keys()].filter((t) => !plan.mustExist.has(t) && !byName.get(t)?.exists);
  if (toCreate.length && replicationFactor > facts.brokerCount) {
    reasons.push(`replication factor ${replicationFactor} exceeds the ${facts.brokerCount} broker(s) of the Kafka cluster`);
    suggestions.push(`set policy.topicPolicy.replicationFactor to at most ${facts.brokerCount}`);
    affected.push(...toCreate.map((t) => `topic ${t}`));
  } else {
    const refused = toCreate.map((t) => byName.get(t)).filter((t) => t?.createError);
    for (const t of refused) {
      reasons.push(`topic ${t!.name} cannot be created: ${t!.createError!.code} ${t!.createError!.message}`.trim());
      affected.push(`topic ${t!.name}`);
      suggestions.push(ACL_HINT[t!.createError!.code] ?? createCommand(task, t!.name, partitions, replicationFactor));
    }
  }
  return reasons.length ? failed('kafka-topics', reasons, suggestions, affected) : { key: 'kafka-topics', result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] };
}

function autoCreate(facts: KafkaFacts): PrecheckOutcome {
  if (facts.autoCreateTopicsEnable === false) return { key: 'kafka-auto-create', result: 'PASSED', reason: null, suggestion: null, affectedObjects: [] };
  if (facts.autoCreateTopicsEnable === null) {
    return {
      key: 'kafka-auto-create',
      result: 'ALARM',
      reason: `auto.create.topics.enable could not be read: ${facts.autoCreateReadError ?? 'unknown error'}`,
      suggestion: 'make sure auto.create.topics.enable=false in the server.properties of every broker',
      affectedObjects: ['broker setting auto.create.topics.enable'],
    };
  }
  return {
    key: 'kafka-auto-create',
    result: 'ALARM',
    reason: 'auto.create.topics.enable is true: a message for a misspelled or missing topic silently creates it with default settings',
    suggestion: 'set auto.create.topics.enable=false in the server.properties of every broker, then restart the brokers',
    affectedObjects: ['broker setting auto.create.topics.enable'],
  };
}
