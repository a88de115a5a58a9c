import { describe, expect, it } from 'vitest';
import { editOperations, editScope } from './task-edit-scope';

describe('editScope: which rule an edit of a task falls under', () => {
  const cases: { fields: string[]; operations: string[]; restarts: boolean }[] = [
    { fields: ['policy.tables'], operations: ['editObjects'], restarts: true },
    { fields: ['policy.tables.1.filter', 'policy.tables.0.topic'], operations: ['editObjects'], restarts: true },
    { fields: ['throttle.rowsPerSecond'], operations: ['editSettings'], restarts: true },
    { fields: ['alarms.walRetentionLimitMb', 'retry.otherMinutes'], operations: ['editSettings'], restarts: true },
    { fields: ['tags'], operations: ['editSettings'], restarts: false },
    { fields: ['description'], operations: ['editSettings'], restarts: false },
    { fields: ['policy.tables.0', 'alarms.notify'], operations: ['editObjects', 'editSettings'], restarts: true },
    { fields: ['policy.tables', 'policy.topicPolicy.topic'], operations: ['edit'], restarts: true },
    { fields: ['source.host'], operations: ['edit'], restarts: false },
    { fields: ['name'], operations: ['edit'], restarts: false },
    // A prefix that only looks like a settings field is not one.
    { fields: ['alarmsX'], operations: ['edit'], restarts: false },
    { fields: ['policy.tablesX'], operations: ['edit'], restarts: false },
    { fields: [], operations: [], restarts: false },
  ];
  for (const { fields, operations, restarts } of cases) {
    it(`${fields.join(', ') || '(nothing)'} needs ${operations.join(' + ') || 'nothing'}`, () => {
      const scope = editScope(fields);
      expect(editOperations(scope)).toEqual(operations);
      expect(scope.restartsWorker).toBe(restarts);
    });
  }

  it('names the fields only an edit in CONFIGURATION may change', () => {
    expect(editScope(['throttle.mbPerSecond', 'source.port', 'policy.format']).other).toEqual(['source.port', 'policy.format']);
  });
});
