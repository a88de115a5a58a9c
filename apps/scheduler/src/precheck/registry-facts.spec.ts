import { describe, expect, it } from 'vitest';
import { SchemaRegistryError, type SubjectCompatibility } from '@walbridge/connectors';
import type { PlannedSubject } from '@walbridge/domain';
import { gatherRegistryFacts, type SubjectCompatibilityPort } from './registry-facts';

const planned = (subject: string, table: string, schema: unknown = { type: 'record', name: table, fields: [] }): PlannedSubject => ({
  subject,
  role: subject.endsWith('-key') ? 'key' : 'value',
  table,
  schema: schema as PlannedSubject['schema'],
});

class FakeRegistry implements SubjectCompatibilityPort {
  readonly where = 'http://registry:8080/apis/ccompat/v7';
  readonly asked: string[] = [];
  constructor(private readonly answers: Record<string, SubjectCompatibility | Error>) {}
  async compatibility(subject: string): Promise<SubjectCompatibility> {
    this.asked.push(subject);
    const answer = this.answers[subject] ?? { verdict: 'new', messages: [] };
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

describe('gatherRegistryFacts', () => {
  it('asks each distinct subject and schema once and keeps the verdicts with their tables', async () => {
    const registry = new FakeRegistry({ 't-value': { verdict: 'incompatible', messages: ['field n has no default'], level: 'BACKWARD' } });
    const schema = { type: 'record', name: 'Same', fields: [] };
    const facts = await gatherRegistryFacts(registry, [planned('t-value', 'shop.a', schema), planned('t-value', 'shop.a', schema), planned('t-key', 'shop.a')]);
    expect(registry.asked).toEqual(['t-value', 't-key']);
    expect(facts).toEqual({
      ok: true,
      registry: registry.where,
      shared: [],
      verdicts: [
        { subject: 't-value', role: 'value', table: 'shop.a', verdict: 'incompatible', messages: ['field n has no default'], level: 'BACKWARD' },
        { subject: 't-key', role: 'key', table: 'shop.a', verdict: 'new', messages: [], level: null },
      ],
    });
  });

  it('stops at a registry that cannot be reached and says so once', async () => {
    const registry = new FakeRegistry({ 'a-value': new SchemaRegistryError('schema registry http://registry:8080 cannot be reached: ECONNREFUSED', null, true) });
    const facts = await gatherRegistryFacts(registry, [planned('a-value', 'shop.a'), planned('b-value', 'shop.b')]);
    expect(registry.asked).toEqual(['a-value']);
    expect(facts).toEqual({ ok: false, registry: registry.where, message: 'schema registry http://registry:8080 cannot be reached: ECONNREFUSED' });
  });
});
