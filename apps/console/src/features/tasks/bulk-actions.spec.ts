import { describe, expect, it } from 'vitest';
import { bulkSummary, runBulk, withTag, type BulkAction, type BulkResult } from './bulk-actions';

const ok = (name: string): BulkResult => ({ task: { id: name, name } });
const refused = (name: string, reason: string): BulkResult => ({ task: { id: name, name }, refused: reason });

describe('bulk actions on the task list', () => {
  it.each<[BulkAction, BulkResult[], string]>([
    ['pause', [ok('a'), ok('b'), refused('c', 'cannot pause a task in status CONFIGURATION')], '2 paused, 1 refused'],
    ['resume', [ok('a')], '1 resumed'],
    ['delete', [refused('a', 'x'), refused('b', 'y')], '0 deleted, 2 refused'],
    ['tag', [ok('a'), ok('b')], '2 tagged'],
  ])('sums up %s as the user reads it', (action, results, expected) => {
    expect(bulkSummary(action, results)).toBe(expected);
  });

  it('runs the operation on every task and keeps each refusal with its reason, in the order of the list', async () => {
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ id: name, name }));
    const results = await runBulk(tasks, async (t) => {
      await new Promise((r) => setTimeout(r, t.name === 'a' ? 20 : 1));
      if (t.name === 'c') throw new Error('cannot pause a task in status CONFIGURATION');
    }, 2);
    expect(results).toEqual([ok('a'), ok('b'), refused('c', 'cannot pause a task in status CONFIGURATION'), ok('d'), ok('e')]);
  });

  it('sets a tag, replacing the value of a key the task has', () => {
    expect(withTag([{ key: 'team', value: 'pay' }, { key: 'env', value: 'prod' }], 'team', 'shop')).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'shop' },
    ]);
    expect(withTag([], 'team', '')).toEqual([{ key: 'team', value: '' }]);
  });
});
