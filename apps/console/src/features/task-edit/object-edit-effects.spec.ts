import { describe, expect, it } from 'vitest';
import type { TaskView } from '@walbridge/contracts';
import { objectEditEffects, tableChanges } from './object-edit-effects';

const orders = { schema: 'shop', table: 'orders' };
const items = { schema: 'shop', table: 'items' };

describe('tableChanges', () => {
  it.each([
    { before: [orders], after: [orders], summary: '' },
    { before: [orders], after: [orders, items], summary: 'adds shop.items' },
    { before: [orders, items], after: [items], summary: 'removes shop.orders' },
    { before: [orders], after: [{ ...orders, filter: 'total > 1' }], summary: 'changes the settings of shop.orders' },
    { before: [orders], after: [items], summary: 'adds shop.items; removes shop.orders' },
  ])('$summary', ({ before, after, summary }) => {
    const c = tableChanges(before, after);
    expect(c.summary).toBe(summary);
    expect(c.none).toBe(summary === '');
  });
});

describe('objectEditEffects', () => {
  const task = (status: TaskView['status'], policy: Partial<TaskView['policy']>) => ({ status, policy: policy as TaskView['policy'] });
  const added = tableChanges([orders], [orders, items]);

  it.each([
    { status: 'INCREMENTAL' as const, policy: { syncMode: 'full+incremental' as const }, says: ['worker restarts', 'backfill reads the rows already in shop.items'] },
    { status: 'INCREMENTAL' as const, policy: { syncMode: 'incremental' as const }, says: ['worker restarts', 'its existing rows are not read'] },
    { status: 'PAUSED' as const, policy: { syncMode: 'incremental' as const, backfillAddedTables: true }, says: ['stays paused', 'backfill reads'] },
  ])('$status $policy', ({ status, policy, says }) => {
    const text = objectEditEffects(task(status, policy), added).join(' ');
    for (const s of says) expect(text).toContain(s);
  });

  it('says nothing when no table changed', () => {
    expect(objectEditEffects(task('INCREMENTAL', {}), tableChanges([orders], [orders]))).toEqual([]);
  });
});
