import { describe, expect, it } from 'vitest';
import { topicNameProblems, topicOfTable } from './task-topics';

const routing = (topicPolicy: { mode: 'specific' | 'auto'; topic?: string; nameFormat?: string }, tables: { schema: string; table: string; topic?: string }[] = []) => ({
  objectScope: 'tables' as const,
  tables,
  topicPolicy,
});

describe('topicNameProblems', () => {
  it('accepts legal names and formats', () => {
    expect(topicNameProblems(routing({ mode: 'specific', topic: 'cdc.orders' }, [{ schema: 's', table: 't' }]), 'db')).toEqual([]);
    expect(topicNameProblems(routing({ mode: 'auto', nameFormat: '$database$.$schema$.$tablename$' }, [{ schema: 'S p', table: 't' }]), 'db')).toEqual([]);
  });

  it('names the field of an illegal literal topic', () => {
    expect(topicNameProblems(routing({ mode: 'specific', topic: 'my topic' }), 'db')).toEqual([
      { field: 'policy.topicPolicy.topic', message: expect.stringContaining('" "') },
    ]);
    expect(topicNameProblems(routing({ mode: 'specific', topic: 'ok' }, [{ schema: 's', table: 't' }, { schema: 's', table: 'u', topic: '..' }]), 'db')).toEqual([
      { field: 'policy.tables.1.topic', message: "topic name cannot be '..'" },
    ]);
  });

  it('refuses a name format that gives no legal name, in general or for one selected table', () => {
    expect(topicNameProblems(routing({ mode: 'auto', nameFormat: '..' }), 'db')).toEqual([{ field: 'policy.topicPolicy.nameFormat', message: "topic name cannot be '..'" }]);
    const long = 'x'.repeat(60);
    expect(topicNameProblems(routing({ mode: 'auto', nameFormat: `${'p'.repeat(190)}.$schema$.$tablename$` }, [{ schema: 's', table: long }]), 'db')).toEqual([
      { field: 'policy.tables.0', message: expect.stringContaining(`nameFormat gives no valid topic name for s.${long}`) },
    ]);
  });
});

describe('topicOfTable', () => {
  it('prefers the per-table topic, then the policy', () => {
    const r = routing({ mode: 'auto', nameFormat: 'cdc.$tablename$' }, [{ schema: 's', table: 'a', topic: 'special' }]);
    expect(topicOfTable(r, 'db', 's', 'a')).toEqual({ ok: true, name: 'special' });
    expect(topicOfTable(r, 'db', 's', 'b')).toEqual({ ok: true, name: 'cdc.b' });
    expect(topicOfTable(routing({ mode: 'specific', topic: 'all' }), 'db', 's', 'b')).toEqual({ ok: true, name: 'all' });
  });
});
