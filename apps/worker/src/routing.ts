import type { PolicyConfig } from '@walbridge/contracts';
import { TablePartitioner, renderTopicName, type ChangeKind, type RelationSchema } from '@walbridge/domain';
import type { TableRoute } from './pipeline/change-pipeline';

/** Topic of one selected table under the task's topic policy (per-table override first). */
export function topicFor(policy: PolicyConfig, database: string, schema: string, table: string): string {
  const override = policy.tables.find((t) => t.schema === schema && t.table === table)?.topic;
  if (override) return override;
  if (policy.topicPolicy.mode === 'specific') return policy.topicPolicy.topic!;
  const rendered = renderTopicName(policy.topicPolicy.nameFormat!, { database, schema, table });
  if (!rendered.ok) throw new Error(`topic name for ${schema}.${table}: ${rendered.reason}`);
  return rendered.name;
}

/** Builds the router the pipeline asks about each table the stream announces. */
export function createRouter(
  policy: PolicyConfig,
  partitionCounts: ReadonlyMap<string, number>,
): (schema: RelationSchema) => TableRoute | null {
  const taskOperations = new Set<ChangeKind>(policy.dmlOperations);
  return (schema) => {
    const selection = policy.tables.find((t) => t.schema === schema.schema && t.table === schema.table);
    if (policy.objectScope === 'tables' && !selection) return null;
    const topic = topicFor(policy, schema.database, schema.schema, schema.table);
    const partitions = partitionCounts.get(topic);
    if (partitions === undefined) throw new Error(`no partition count known for topic ${topic}`);
    const operations = selection?.dmlOperations ? new Set<ChangeKind>(selection.dmlOperations) : taskOperations;
    const partitioner = new TablePartitioner(policy.partitionPolicy, partitions, schema);
    return { topic, operations, partitionOf: (key) => partitioner.partition(key) };
  };
}
