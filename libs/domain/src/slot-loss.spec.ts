import { describe, expect, it } from 'vitest';
import { classifyFailure, decideRetry } from './failure-policy';
import { decideSlot, type ObservedSlot, type SlotHistory } from './slot-loss';

const gone: ObservedSlot = { exists: false, walStatus: null, confirmedLsn: null };
const healthy: ObservedSlot = { exists: true, walStatus: 'reserved', confirmedLsn: '0/3000000' };
const lost: ObservedSlot = { exists: true, walStatus: 'lost', confirmedLsn: '0/3000000' };
const fresh: SlotHistory = { confirmedLsn: null, createdLsn: null };

describe('decideSlot', () => {
  const cases: { name: string; observed: ObservedSlot; history: SlotHistory; action: string; since?: string | null }[] = [
    { name: 'a first start creates the slot', observed: gone, history: fresh, action: 'create' },
    { name: 'an existing slot is used', observed: healthy, history: { confirmedLsn: '0/3000000', createdLsn: '0/1000000' }, action: 'use' },
    { name: 'an extended or unreserved slot is still usable', observed: { ...healthy, walStatus: 'unreserved' }, history: fresh, action: 'use' },
    { name: 'a slot this task created and never confirmed in is not created again', observed: gone, history: { confirmedLsn: null, createdLsn: '0/1000000' }, action: 'lost', since: '0/1000000' },
    { name: 'a slot the task confirmed a position in is not created again', observed: gone, history: { confirmedLsn: '0/2000000', createdLsn: '0/1000000' }, action: 'lost', since: '0/2000000' },
    { name: 'a task from before the creation point was recorded still counts its confirmed position', observed: gone, history: { confirmedLsn: '0/2000000', createdLsn: null }, action: 'lost', since: '0/2000000' },
    { name: 'an invalidated slot is lost from its own confirmed position', observed: lost, history: { confirmedLsn: '0/2000000', createdLsn: null }, action: 'lost', since: '0/3000000' },
    { name: 'an invalidated slot is lost even without history', observed: { ...lost, confirmedLsn: null }, history: { confirmedLsn: '0/2000000', createdLsn: null }, action: 'lost', since: '0/2000000' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = decideSlot('wb_slot', c.observed, c.history);
      expect(decision.action).toBe(c.action);
      if (decision.action === 'lost') expect(decision.error.sinceLsn).toBe(c.since);
    });
  }

  it('words a dropped slot as lost data with the way out, and never as "nothing is lost"', () => {
    const decision = decideSlot('wb_slot', gone, { confirmedLsn: '0/2000000', createdLsn: null });
    if (decision.action !== 'lost') throw new Error('expected lost');
    expect(decision.error.message).toContain('replication slot wb_slot was dropped; changes since LSN 0/2000000 cannot be recovered');
    expect(decision.error.message).toMatch(/reset the task/);
    expect(decision.error.message).not.toMatch(/nothing is lost/i);
    expect(decision.error.reason).toBe('dropped');
  });

  it('gives the WAL figures of an invalidated slot', () => {
    const decision = decideSlot('wb_slot', lost, fresh, { currentLsn: '0/9000000', maxSlotWalKeepSize: '64MB', behindBytes: 100 * 1024 * 1024 });
    if (decision.action !== 'lost') throw new Error('expected lost');
    expect(decision.error.message).toContain('replication slot wb_slot was invalidated');
    expect(decision.error.message).toContain('wal_status = lost');
    expect(decision.error.message).toContain('max_slot_wal_keep_size = 64MB');
    expect(decision.error.message).toContain('100 MB past');
    expect(decision.error.message).toContain('changes since LSN 0/3000000 cannot be recovered');
    expect(decision.error.figures).toMatchObject({ walStatus: 'lost', currentWalLsn: '0/9000000', maxSlotWalKeepSize: '64MB', behindBytes: 104857600 });
  });

  it('is a failure of its own kind that is never retried, also once it travelled as a plain object', () => {
    const decision = decideSlot('wb_slot', gone, { confirmedLsn: '0/2000000', createdLsn: null });
    if (decision.action !== 'lost') throw new Error('expected lost');
    expect(classifyFailure(decision.error)).toBe('slotLost');
    expect(classifyFailure({ code: 'SLOT_LOST', message: 'x' })).toBe('slotLost');
    expect(decideRetry('slotLost', 0, 1, { connectionMinutes: 720, otherMinutes: 10 })).toEqual({ retry: false, retryUntil: 1 });
  });
});
