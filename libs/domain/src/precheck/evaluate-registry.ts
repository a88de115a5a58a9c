import { canonicalJson } from '../canonical-json';
import { projectedRelation, registrationsOf, type SubjectSchema } from '../formats/registry-subjects';
import type { RelationSchema } from '../relation-schema';
import { topicOfTable } from '../task-topics';
import type { PrecheckTask } from './precheck-facts';
import type { PrecheckOutcome } from './precheck-items';

const KEY = 'schema-registry' as const;

/** One schema the worker would register, for the table it comes from. */
export interface PlannedSubject extends SubjectSchema {
  table: string;
}

/**
 * The subjects and schemas the worker registers for these tables, derived exactly as its router
 * does (topic, column list, whole-row identity, registrationsOf). Tables whose topic name is not
 * valid are left out: the kafka-topics item reports them.
 */
export function plannedSubjects(task: Pick<PrecheckTask, 'policy' | 'source'>, relations: readonly RelationSchema[]): PlannedSubject[] {
  const out: PlannedSubject[] = [];
  for (const relation of relations) {
    const topic = topicOfTable(task.policy, task.source.database, relation.schema, relation.table);
    if (!topic.ok) continue;
    const selection = task.policy.tables.find((t) => t.schema === relation.schema && t.table === relation.table);
    const { schema, projection } = projectedRelation(relation, { includeColumns: selection?.includeColumns, excludeColumns: selection?.excludeColumns });
    for (const s of registrationsOf(topic.name, schema, { columns: projection.positions })) out.push({ ...s, table: `${relation.schema}.${relation.table}` });
  }
  return out;
}

/** The registry's verdict on one planned subject. */
export interface SubjectVerdict {
  subject: string;
  role: 'key' | 'value';
  table: string;
  verdict: 'new' | 'compatible' | 'incompatible';
  messages: readonly string[];
  level?: string | null;
}

export type RegistryFacts =
  | {
      ok: true;
      registry: string;
      verdicts: SubjectVerdict[];
      /** Subjects several tables write different schemas to (a specific topic): each is a new version of the others. */
      shared: { subject: string; tables: string[] }[];
    }
  | { ok: false; registry: string; message: string };

/** Distinct (subject, schema) pairs to ask the registry about, and the subjects several tables share with different schemas. */
export function subjectsToAsk(planned: readonly PlannedSubject[]): { ask: PlannedSubject[]; shared: { subject: string; tables: string[] }[] } {
  const ask = new Map<string, PlannedSubject>();
  const bySubject = new Map<string, Map<string, string[]>>();
  for (const p of planned) {
    const schema = canonicalJson(p.schema);
    const k = `${p.subject}\u0000${schema}`;
    if (!ask.has(k)) ask.set(k, p);
    const schemas = bySubject.get(p.subject) ?? new Map<string, string[]>();
    schemas.set(schema, [...(schemas.get(schema) ?? []), p.table]);
    bySubject.set(p.subject, schemas);
  }
  const shared = [...bySubject].filter(([, schemas]) => schemas.size > 1).map(([subject, schemas]) => ({ subject, tables: [...new Set([...schemas.values()].flat())] }));
  return { ask: [...ask.values()], shared };
}

const passed = (reason: string | null = null): PrecheckOutcome => ({ key: KEY, result: 'PASSED', reason, suggestion: null, affectedObjects: [] });

/**
 * Issue 17 item 3, "the precheck checks subject compatibility": for an avro-registry task, each
 * table's key and value schema against its subject's latest version under the subject's
 * compatibility rule. `facts` null: the tables could not be read from the source.
 */
export function evaluateRegistry(task: Pick<PrecheckTask, 'policy'>, facts: RegistryFacts | null): PrecheckOutcome {
  if (task.policy.format !== 'avro-registry') return passed();
  if (!facts) {
    return {
      key: KEY,
      result: 'FAILED',
      reason: 'not checked: the tables of the task could not be read from the source, so their schemas are unknown',
      suggestion: 'fix the source items, then check again',
      affectedObjects: [],
    };
  }
  if (!facts.ok) {
    return {
      key: KEY,
      result: 'FAILED',
      reason: facts.message,
      suggestion:
        'check the schema registry of the destination (destination.schemaRegistry: its URL, user name and password) with Test connection; ' +
        'the registry must answer Confluent’s REST API (for Apicurio Registry: <registry>/apis/ccompat/v7)',
      affectedObjects: [`schema registry ${facts.registry}`],
    };
  }
  const refused = facts.verdicts.filter((v) => v.verdict === 'incompatible');
  if (refused.length) {
    const reasons = refused.map(
      (v) =>
        `the ${v.role} schema of ${v.table} is not compatible with the latest version of subject ${v.subject}` +
        `${v.level ? ` (compatibility ${v.level})` : ''}${v.messages.length ? `: ${v.messages.join('; ')}` : ''}`,
    );
    const subjects = [...new Set(refused.map((v) => v.subject))];
    return {
      key: KEY,
      result: 'FAILED',
      reason: `${reasons.join('; ')}: the task would fail when it registers ${subjects.length > 1 ? 'them' : 'it'}`,
      suggestion: [
        ...subjects.map((s) => `let the subject take the new schema: curl -X PUT -H 'Content-Type: application/json' -d '{"compatibility":"NONE"}' ${facts.registry}/config/${encodeURIComponent(s)}`),
        'or write the table to another topic (its own subjects <topic>-key and <topic>-value), e.g. policy.tables[].topic',
        'or, if nothing reads the old versions any more, delete the subject from the registry',
      ].join('\n'),
      affectedObjects: [...subjects.map((s) => `subject ${s}`), ...new Set(refused.map((v) => `table ${v.table}`))],
    };
  }
  if (facts.shared.length) {
    return {
      key: KEY,
      result: 'ALARM',
      reason: facts.shared
        .map((s) => `tables ${s.tables.join(', ')} write different schemas under subject ${s.subject}: each one's schema is registered as a new version of the others', which the subject's compatibility rule may refuse`)
        .join('; '),
      suggestion: 'give each table its own topic (policy.tables[].topic, or an automatic topic per table), so that each has subjects of its own',
      affectedObjects: facts.shared.map((s) => `subject ${s.subject}`),
    };
  }
  const fresh = [...new Set(facts.verdicts.filter((v) => v.verdict === 'new').map((v) => v.subject))];
  return passed(fresh.length ? `subject ${fresh.join(', ')} not in the registry yet: will be registered at the start` : null);
}
