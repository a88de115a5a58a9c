import { TASK_STATUSES } from '@walbridge/vocabulary';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors';
import { TASK_OPERATIONS, allowedOperations, assertAllowed, isAllowed, type LifecycleStatus, type TaskOperation } from './task-lifecycle';

describe('task lifecycle', () => {
  it('lets a configured task be edited, prechecked, submitted and deleted, and nothing that needs a worker', () => {
    expect(allowedOperations('CONFIGURATION').sort()).toEqual(['delete', 'edit', 'forceStop', 'precheck', 'stop', 'submit'].sort());
  });

  it('only pauses a streaming task', () => {
    const statuses: LifecycleStatus[] = ['CONFIGURATION', 'STARTING', 'FULL_SYNC', 'INCREMENTAL', 'PAUSED', 'COMPLETED'];
    expect(statuses.filter((s) => isAllowed('pause', s))).toEqual(['FULL_SYNC', 'INCREMENTAL']);
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
      expect(e.extra.allowedOperations).toEqual(['editObjects', 'editSettings', 'pause', 'stop', 'forceStop']);
    }
  });

  it('allows nothing on a deleted task', () => {
    expect(allowedOperations('DELETED')).toEqual([]);
  });
});

/**
 * PRODUCT.md §4's operation table written out cell by cell (Y = allowed), so a change to the
 * table in code has to be a deliberate change here too. drop-slot is not in §4's table: it is
 * the action offered on a stopped task whose slot may remain (after a force stop or a failed stop).
 */
const SPEC: Record<string, string> = {
  //                  edit  editObjects editSettings precheck submit pause resume stop forceStop reset delete dropSlot
  CONFIGURATION: '     Y     .           .            Y        Y      .      .    Y         Y     .      Y      .',
  PENDING_START: '     .     .           .            .        .      .      .    Y         Y     .      .      .',
  STARTING: '          .     .           .            .        .      .      .    Y         Y     .      .      .',
  FULL_SYNC: '         .     .           Y            .        .      Y      .    Y         Y     .      .      .',
  INCREMENTAL: '       .     Y           Y            .        .      Y      .    Y         Y     .      .      .',
  START_FAILED: '      .     .           Y            Y        .      .      Y    Y         Y     Y      Y      .',
  INCREMENTAL_FAILED: '.     .           Y            Y        .      .      Y    Y         Y     Y      .      .',
  PAUSING: '           .     .           .            .        .      .      .    Y         Y     .      .      .',
  PAUSED: '            .     Y           Y            Y        .      .      Y    Y         Y     Y      .      .',
  STOPPING: '          .     .           .            .        .      .      .    Y         Y     .      .      .',
  COMPLETED: '         .     .           .            .        .      .      .    .         .     .      Y      Y',
  STOP_FAILED: '       .     .           .            .        .      .      .    Y         Y     .      .      Y',
  CANCELLED: '         .     .           .            .        .      .      .    .         .     .      Y      .',
  DELETED: '           .     .           .            .        .      .      .    .         .     .      .      .',
};
const COLUMNS: TaskOperation[] = ['edit', 'editObjects', 'editSettings', 'precheck', 'submit', 'pause', 'resume', 'stop', 'forceStop', 'reset', 'delete', 'dropSlot'];

describe('the operation table, every status × every operation', () => {
  it('covers every status and every operation', () => {
    expect(Object.keys(SPEC).sort()).toEqual([...TASK_STATUSES].sort());
    expect([...COLUMNS].sort()).toEqual([...TASK_OPERATIONS].sort());
  });

  for (const [status, row] of Object.entries(SPEC)) {
    const cells = row.trim().split(/\s+/);
    COLUMNS.forEach((operation, i) => {
      const expected = cells[i] === 'Y';
      it(`${expected ? 'allows' : 'refuses'} ${operation} in ${status}`, () => {
        expect(isAllowed(operation, status as LifecycleStatus)).toBe(expected);
        if (expected) expect(() => assertAllowed(operation, status as LifecycleStatus)).not.toThrow();
        else {
          const error = (() => {
            try {
              assertAllowed(operation, status as LifecycleStatus);
            } catch (e) {
              return e as DomainError;
            }
            return null;
          })();
          expect(error?.kind).toBe('conflict');
          expect(error?.extra).toEqual({ status, allowedOperations: allowedOperations(status as LifecycleStatus) });
        }
      });
    });
  }
});
