import type { FieldProblem } from './errors';
import { renderTopicName, validateTopicName, type TopicNameResult } from './topic-name';

/** The parts of a task's policy that decide topic names (structurally PolicyConfig of contracts). */
export interface TopicRouting {
  objectScope: 'database' | 'tables';
  tables: ReadonlyArray<{ schema: string; table: string; topic?: string }>;
  topicPolicy: { mode: 'specific' | 'auto'; topic?: string; nameFormat?: string };
}

/** The topic one table goes to: its own override first, then the task's topic policy. */
export function topicOfTable(routing: TopicRouting, database: string, schema: string, table: string): TopicNameResult {
  const override = routing.tables.find((t) => t.schema === schema && t.table === table)?.topic;
  if (override) return validateTopicName(override);
  if (routing.topicPolicy.mode === 'specific') return validateTopicName(routing.topicPolicy.topic ?? '');
  return renderTopicName(routing.topicPolicy.nameFormat ?? '', { database, schema, table });
}

// Stand-ins for names that are not known before the source is read (database-level tasks):
// a name format that fails with them fails with any table.
const SAMPLE = { schema: 's', table: 't' };

/**
 * The topic rules of PRODUCT.md §2 that need the names a configuration produces: a literal topic
 * must be a legal Kafka name, and a name format must render a legal name for every selected
 * table (for a database-level task, for any table). Field paths match the task JSON.
 */
export function topicNameProblems(routing: TopicRouting, database: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { topicPolicy } = routing;
  if (topicPolicy.mode === 'specific' && topicPolicy.topic) {
    const result = validateTopicName(topicPolicy.topic);
    if (!result.ok) problems.push({ field: 'policy.topicPolicy.topic', message: result.reason });
  }
  routing.tables.forEach((t, i) => {
    if (!t.topic) return;
    const result = validateTopicName(t.topic);
    if (!result.ok) problems.push({ field: `policy.tables.${i}.topic`, message: result.reason });
  });
  if (topicPolicy.mode === 'auto' && topicPolicy.nameFormat) {
    const sample = renderTopicName(topicPolicy.nameFormat, { database, ...SAMPLE });
    if (!sample.ok) {
      problems.push({ field: 'policy.topicPolicy.nameFormat', message: sample.reason });
    } else {
      routing.tables.forEach((t, i) => {
        if (t.topic) return;
        const result = renderTopicName(topicPolicy.nameFormat!, { database, schema: t.schema, table: t.table });
        if (!result.ok) problems.push({ field: `policy.tables.${i}`, message: `nameFormat gives no valid topic name for ${t.schema}.${t.table}: ${result.reason}` });
      });
    }
  }
  return problems;
}
