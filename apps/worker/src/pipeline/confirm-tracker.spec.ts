import { describe, expect, it } from 'vitest';
import { ConfirmTracker } from './confirm-tracker';

function tracker(start = 0x100n) {
  const confirmed: bigint[] = [];
  return { tracker: new ConfirmTracker(start, (lsn) => confirmed.push(lsn)), confirmed };
}

describe('ConfirmTracker', () => {
  it.each([
    // [markers as (seq, lsn), messages acknowledged, positions confirmed]
    ['nothing acknowledged yet', [[2, 0x200n]], 0, []],
    ['part of a transaction acknowledged', [[2, 0x200n]], 1, []],
    ['a whole transaction acknowledged', [[2, 0x200n]], 2, [0x200n]],
    ['two transactions, the first acknowledged', [[2, 0x200n], [5, 0x300n]], 3, [0x200n]],
    ['two transactions acknowledged at once: the furthest only', [[2, 0x200n], [5, 0x300n]], 5, [0x300n]],
    ['a position not past the start', [[0, 0x80n]], 0, []],
  ] as [string, [number, bigint][], number, bigint[]][])('%s', (_, markers, acked, expected) => {
    const t = tracker();
    for (const [seq, lsn] of markers) t.tracker.mark(seq, lsn, null);
    t.tracker.acknowledged(acked);
    expect(t.confirmed).toEqual(expected);
    expect(t.tracker.confirmedLsn).toBe(expected.at(-1) ?? 0x100n);
  });

  it('collapses positions with no message between them into the latest, keeping the commit time', () => {
    const t = tracker();
    t.tracker.mark(1, 0x200n, 1000);
    t.tracker.mark(1, 0x250n, null); // a keepalive right after the commit
    expect(t.tracker.oldestUnconfirmedCommitTime()).toBe(1000);
    t.tracker.acknowledged(1);
    expect(t.confirmed).toEqual([0x250n]);
    expect(t.tracker.oldestUnconfirmedCommitTime()).toBeNull();
  });

  it('runs a snapshot chunk waiter once its messages are acknowledged, before confirming', () => {
    const order: string[] = [];
    const tracked = new ConfirmTracker(0n, () => order.push('confirm'));
    tracked.whenAcknowledged(3, () => order.push('chunk'));
    tracked.mark(3, 0x300n, null);
    tracked.acknowledged(2);
    expect(order).toEqual([]);
    tracked.acknowledged(3);
    expect(order).toEqual(['chunk', 'confirm']);
  });

  it('names the oldest commit time still waiting for Kafka (the delay)', () => {
    const t = tracker();
    t.tracker.mark(1, 0x200n, 1000);
    t.tracker.mark(2, 0x300n, 2000);
    t.tracker.acknowledged(1);
    expect(t.tracker.oldestUnconfirmedCommitTime()).toBe(2000);
  });
});
