import { describe, expect, it } from 'vitest';
import type { TaskEntity } from '@walbridge/persistence';
import { lifecycleView } from './task-lifecycle.mapper';
import { taskRow } from './testing/task-store.fake';

function task(patch: Partial<TaskEntity>): TaskEntity {
  return taskRow({ slotName: 'walbridge_x', publicationName: 'walbridge_x', slotRetainedBytes: '1048576', slotCheckedAt: new Date('2026-01-01T00:00:00Z'), ...patch });
}

describe('lifecycleView', () => {
  it('shows the retained WAL in bytes and no leftover while the task uses its slot', () => {
    const view = lifecycleView(task({}));
    expect(view.slot).toEqual({
      name: 'walbridge_x',
      publication: 'walbridge_x',
      exists: true,
      retainedWalBytes: 1048576,
      checkedAt: '2026-01-01T00:00:00.000Z',
      leftover: false,
      dropSql: null,
    });
    expect(view.allowedOperations).not.toContain('dropSlot');
  });

  it('shows a slot left behind by a stopped task with the SQL to drop it, and offers drop-slot', () => {
    const view = lifecycleView(task({ status: 'COMPLETED' }));
    expect(view.slot.leftover).toBe(true);
    expect(view.slot.dropSql).toBe(`SELECT pg_drop_replication_slot('walbridge_x'); DROP PUBLICATION IF EXISTS "walbridge_x";`);
    expect(view.allowedOperations).toEqual(['delete', 'dropSlot']);
  });

  it('offers no drop-slot once the slot is known to be gone', () => {
    const view = lifecycleView(task({ status: 'COMPLETED', slotExists: false, slotRetainedBytes: null }));
    expect(view.slot).toMatchObject({ leftover: false, dropSql: null, retainedWalBytes: null });
    expect(view.allowedOperations).toEqual(['delete']);
  });

  it('describes a failure episode of an abnormal task, and hides it once the task streams again', () => {
    const failing = task({
      status: 'INCREMENTAL_FAILED',
      failingSince: new Date('2026-01-01T00:00:00Z'),
      failureKind: 'network',
      retryUntil: new Date('2026-01-01T12:00:00Z'),
      autoStopAt: new Date('2026-01-15T00:00:00Z'),
      retryExhaustedAt: null,
    });
    expect(lifecycleView(failing).failure).toEqual({
      kind: 'network',
      since: '2026-01-01T00:00:00.000Z',
      retryUntil: '2026-01-01T12:00:00.000Z',
      retrying: true,
      autoStopAt: '2026-01-15T00:00:00.000Z',
    });
    expect(lifecycleView({ ...failing, retryExhaustedAt: new Date('2026-01-01T12:00:00Z') }).failure?.retrying).toBe(false);
    expect(lifecycleView({ ...failing, status: 'INCREMENTAL' }).failure).toBeNull();
  });

  it('shows the start time only while the start is pending', () => {
    const at = new Date('2026-02-01T08:00:00Z');
    expect(lifecycleView(task({ status: 'PENDING_START', scheduledStartAt: at })).scheduledStartAt).toBe('2026-02-01T08:00:00.000Z');
    expect(lifecycleView(task({ status: 'INCREMENTAL', scheduledStartAt: at })).scheduledStartAt).toBeNull();
  });
});
