import { describe, expect, it } from 'vitest';
import type { RelationSchema } from '../relation-schema';
import { evaluateRegistry, plannedSubjects, subjectsToAsk, type RegistryFacts, type SubjectVerdict } from './evaluate-registry';
import type { PrecheckTask } from './precheck-facts';

const relation = (table: string, over: Partial<RelationSchema> = {}): RelationSchema => ({
  relationId: 1,
  database: 'shop',
  schema: 'shop',
  table,
  columns: [
    { name: 'id', type: 'bigint' },
    { name: 'note', type: 'text' },
    { name: 'secret', type: 'text' },
  ],
  pkNames: ['id'],
  replicaIdentity: 'd',
  ...over,
});

const task = (policy: Partial<PrecheckTask['policy']> = {}): Pick<PrecheckTask, 'policy' | 'source'> => ({
  source: { database: 'shop', username: 'cdc' },
  policy: {
    dmlOperations: ['INSERT'],
    objectScope: 'tables',
    tables: [{ schema: 'shop', table: 'orders' }],
    topicPolicy: { mode: 'auto', nameFormat: '$database$.$schema$.$tablename$' },
    format: 'avro-registry',
    ...policy,
  },
});

const fieldsOf = (schema: unknown) => ((schema as { fields: { name: string }[] }).fields ?? []).map((f) => f.name);
const verdict = (over: Partial<SubjectVerdict>): SubjectVerdict => ({ subject: 'shop.shop.orders-value', role: 'value', table: 'shop.orders', verdict: 'compatible', messages: [], ...over });
const ok = (verdicts: SubjectVerdict[], shared: { subject: string; tables: string[] }[] = []): RegistryFacts => ({ ok: true, registry: 'http://r/apis/ccompat/v7', verdicts, shared });

describe('plannedSubjects: the schemas the worker registers', () => {
  it('gives <topic>-value and <topic>-key per table', () => {
    const planned = plannedSubjects(task(), [relation('orders')]);
    expect(planned.map((p) => [p.subject, p.role, p.table])).toEqual([
      ['shop.shop.orders-value', 'value', 'shop.orders'],
      ['shop.shop.orders-key', 'key', 'shop.orders'],
    ]);
    expect(fieldsOf(planned[1].schema)).toEqual(['id']);
  });

  it('follows the column list (a left-out column is not in the value schema)', () => {
    const planned = plannedSubjects(task({ tables: [{ schema: 'shop', table: 'orders', excludeColumns: ['secret'] }] }), [relation('orders')]);
    const before = (planned[0].schema as { fields: { name: string; type: unknown }[] }).fields.find((f) => f.name === 'before')!;
    expect(JSON.stringify(before.type)).toContain('"note"');
    expect(JSON.stringify(before.type)).not.toContain('"secret"');
  });

  it('has no key subject for a table without a key, and skips tables without a valid topic name', () => {
    const keyless = plannedSubjects(task(), [relation('orders', { pkNames: [], replicaIdentity: 'n' })]);
    expect(keyless.map((p) => p.role)).toEqual(['value']);
    expect(plannedSubjects(task({ topicPolicy: { mode: 'specific', topic: 'bad topic!' } }), [relation('orders')])).toEqual([]);
  });

  it('asks once per subject and schema, and finds tables that share a subject with different schemas', () => {
    const specific = task({ topicPolicy: { mode: 'specific', topic: 'all' }, tables: [] , objectScope: 'database' });
    const planned = plannedSubjects(specific, [relation('orders'), relation('orders'), relation('items', { columns: [{ name: 'id', type: 'bigint' }] })]);
    const { ask, shared } = subjectsToAsk(planned);
    // The record names carry the table's name: the two tables' schemas differ under both subjects.
    expect(ask.map((a) => `${a.subject} ${a.table}`)).toEqual(['all-value shop.orders', 'all-key shop.orders', 'all-value shop.items', 'all-key shop.items']);
    expect(shared).toEqual([
      { subject: 'all-value', tables: ['shop.orders', 'shop.items'] },
      { subject: 'all-key', tables: ['shop.orders', 'shop.items'] },
    ]);
  });
});

describe('evaluateRegistry', () => {
  it.each<[string, Partial<PrecheckTask['policy']>, RegistryFacts | null, string, RegExp | null]>([
    ['another format: nothing to check', { format: 'json' }, null, 'PASSED', null],
    ['all compatible', {}, ok([verdict({}), verdict({ subject: 'shop.shop.orders-key', role: 'key' })]), 'PASSED', null],
    ['a subject not there yet', {}, ok([verdict({ verdict: 'new' })]), 'PASSED', /shop\.shop\.orders-value not in the registry yet: will be registered/],
    ['tables unknown', {}, null, 'FAILED', /not checked: the tables of the task could not be read/],
    ['registry unreachable', {}, { ok: false, registry: 'http://r', message: 'schema registry http://r cannot be reached: ECONNREFUSED' }, 'FAILED', /cannot be reached: ECONNREFUSED/],
    [
      'an incompatible schema',
      {},
      ok([verdict({ verdict: 'incompatible', level: 'BACKWARD', messages: ['reader field n has no default'] })]),
      'FAILED',
      /value schema of shop\.orders is not compatible with the latest version of subject shop\.shop\.orders-value \(compatibility BACKWARD\): reader field n has no default/,
    ],
    ['tables sharing a subject', {}, ok([verdict({})], [{ subject: 'all-value', tables: ['shop.a', 'shop.b'] }]), 'ALARM', /tables shop\.a, shop\.b write different schemas under subject all-value/],
  ])('%s', (_name, policy, facts, result, reason) => {
    const outcome = evaluateRegistry(task(policy), facts);
    expect(outcome.key).toBe('schema-registry');
    expect(outcome.result).toBe(result);
    if (reason) expect(outcome.reason).toMatch(reason);
    else expect(outcome.reason).toBeNull();
  });

  it('names the way out of an incompatible subject and the objects concerned', () => {
    const outcome = evaluateRegistry(task(), ok([verdict({ verdict: 'incompatible' })]));
    expect(outcome.suggestion).toContain(`'{"compatibility":"NONE"}' http://r/apis/ccompat/v7/config/shop.shop.orders-value`);
    expect(outcome.suggestion).toMatch(/another topic/);
    expect(outcome.affectedObjects).toEqual(['subject shop.shop.orders-value', 'table shop.orders']);
  });

  it('points an unreachable registry to the destination settings', () => {
    const outcome = evaluateRegistry(task(), { ok: false, registry: 'http://r', message: 'refused the credentials' });
    expect(outcome.suggestion).toMatch(/destination\.schemaRegistry/);
    expect(outcome.affectedObjects).toEqual(['schema registry http://r']);
  });
});
