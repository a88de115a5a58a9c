import { describe, expect, it } from 'vitest';
import { DomainError } from './errors';
import { allowedOperations, assertAllowed, isAllowed, type LifecycleStatus } from './task-lifecycle';

describe('task lifecycle', () => {
  it('lets a configured task be edited, prechecked, submitted and deleted, and nothing that needs a worker', () => {
    expect(allowedOperations('CONFIGURATION').sort()).toEqual(['delete', 'edit', 'forceStop', 'precheck', 'stop', 'submit'].sort());
  });

  it('only pauses a streaming task', () => {
    const statuses: LifecycleStatus[] = ['CONFIGURATION', 'STARTING', 'INCREMENTAL', 'PAUSED', 'COMPLETED'];
    expect(statuses.filter((s) => isAllowed('pause', s))).toEqual(['INCREMENTAL']);
  });

  it('resumes paused and abnormal tasks', () => {
    for (const s of ['PAUSED', 'INCREMENTAL_FAILED', 'START_FAILED'] as const) expect(isAllowed('resume', s)).toBe(true);
    expect(isAllowed('resume', 'INCREMENTAL')).toBe(false);
  });

  it('allows stop and force stop everywhere but in COMPLETED and DELETED', () => {
    expect(isAllowed('stop', 'COMPLETED')).toBe(false);
    expect(isAllowed('forceStop', 'DELETED')).toBe(false);
    expect(isAllowed('stop', 'STOP_FAILED')).toBe(true);
    expect(isAllowed('forceStop', 'STOPPING')).toBe(true);
  });

  it('never deletes a task that may hold a slot', () => {
    for (const s of ['INCREMENTAL', 'PAUSED', 'INCREMENTAL_FAILED', 'STOPPING'] as const) expect(isAllowed('delete', s)).toBe(false);
  });

  it('refuses with a conflict naming the status and the allowed operations', () => {
    try {
      assertAllowed('submit', 'INCREMENTAL');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.kind).toBe('conflict');
      expect(e.message).toContain('INCREMENTAL');
      expect(e.extra.allowedOperations).toEqual(['editObjects', 'pause', 'stop', 'forceStop']);
    }
  });

  it('allows nothing on a deleted task', () => {
    expect(allowedOperations('DELETED')).toEqual([]);
  });
});
